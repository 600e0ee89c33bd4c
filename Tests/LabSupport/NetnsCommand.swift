import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one command of a kernel lab printed and how it ended.
public struct NetnsCommandResult: Sendable, CustomStringConvertible {
    public let argv: [String]
    /// The exit code, or 128 + the signal number when a signal ended it.
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }

    public var description: String {
        "`\(argv.joined(separator: " "))` exited \(status): " + stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Local commands through Foundation's `Process`. Output goes to files in the
/// lab's directory, never to pipes: a long-lived child (a listener) that
/// inherited a pipe's write end could otherwise hold another command's reader
/// open forever.
enum NetnsCommand {
    /// A started command; `wait` collects it.
    final class Running {
        let argv: [String]
        let process: Process
        private let done: DispatchSemaphore
        private let files: [String]
        private let outPath: String
        private let errPath: String

        init(argv: [String], process: Process, done: DispatchSemaphore, outPath: String, errPath: String, files: [String]) {
            self.argv = argv
            self.process = process
            self.done = done
            self.outPath = outPath
            self.errPath = errPath
            self.files = files
        }

        var pid: Int32 { process.processIdentifier }

        /// Waits for the command (killing it at `timeout`), reads its output and removes its files.
        func wait(timeout: Duration) throws(LabError) -> NetnsCommandResult {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            let timedOut = done.wait(timeout: .now() + seconds) == .timedOut
            if timedOut {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                done.wait()
            }
            let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            for file in files { try? FileManager.default.removeItem(atPath: file) }
            if timedOut {
                throw LabError("`\(argv.joined(separator: " "))` did not finish within \(timeout); killed it (stderr: \(stderr))")
            }
            let status = process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus
            return NetnsCommandResult(argv: argv, status: status, stdout: stdout, stderr: stderr)
        }
    }

    /// Starts `argv` with `stdin` as its input; output is collected by `wait`.
    /// `scratch` is a fresh path prefix for the command's files.
    static func start(_ argv: [String], stdin: String?, scratch: String) throws(LabError) -> Running {
        let outPath = scratch + ".out", errPath = scratch + ".err", inPath = scratch + ".in"
        var files = [outPath, errPath]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(argv.first ?? ""))
        process.arguments = Array(argv.dropFirst())
        let out = try create(outPath, contents: "")
        let err = try create(errPath, contents: "")
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        var input: FileHandle?
        if let stdin {
            files.append(inPath)
            try? create(inPath, contents: stdin).close()
            input = FileHandle(forReadingAtPath: inPath)
        }
        defer { try? input?.close() }
        process.standardInput = input ?? FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            for file in files { try? FileManager.default.removeItem(atPath: file) }
            throw LabError("cannot start `\(argv.joined(separator: " "))`: \(error)")
        }
        return Running(argv: argv, process: process, done: done, outPath: outPath, errPath: errPath, files: files)
    }

    /// Starts a long-lived `argv` with stdout and stderr going to `logFile`.
    static func spawn(_ argv: [String], logFile: String) throws(LabError) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(argv.first ?? ""))
        process.arguments = Array(argv.dropFirst())
        let log = try create(logFile, contents: "")
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LabError("cannot start `\(argv.joined(separator: " "))`: \(error)")
        }
        return process
    }

    private static func create(_ path: String, contents: String) throws(LabError) -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw LabError("cannot create \(path)")
        }
        return handle
    }

    /// The absolute path of a program, looked up in PATH (and the sbin
    /// directories, which a non-login PATH may lack).
    static func executable(_ name: String) throws(LabError) -> String {
        if let found = find(name) { return found }
        throw LabError("no `\(name)` in PATH or /usr/sbin, /sbin")
    }

    static func find(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
