import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `extend` binary, run as a user runs it: arguments in; exit
/// status, stdout and stderr out. `swift build --build-tests` (what
/// `scripts/test` runs) builds it at `.build/debug/extend`.
enum CLI {
    /// The package root, three levels above this file (Tests/ExtendCLITests/CLI.swift).
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let binary = packageRoot + "/.build/debug/extend"

    static let exampleInventory = packageRoot + "/inventory/example/inventory.yaml"
    static let exampleCluster = packageRoot + "/inventory/example/cluster"
    /// `--inventory` and `--manifests` of the bundled example.
    static let example = ["--inventory", exampleInventory, "--manifests", exampleCluster]

    /// Runs `extend arguments`, with stdin from /dev/null, and waits for it
    /// (killing it after `timeout`). Output goes to files, not pipes, so a
    /// large output cannot stall the child while we wait; `stdout` sends the
    /// standard output elsewhere instead (the result's `stdout` is then empty).
    static func run(_ arguments: [String], stdout: FileHandle? = nil, timeout: Duration = .seconds(60),
                    environment: [String: String]? = nil) throws -> CLIResult {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CLIError("no binary at \(binary); build it first: swift build --build-tests")
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("extend-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw CLIError("cannot create output files in \(scratch.path)")
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout ?? out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        let timedOut = process.isRunning
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        if timedOut {
            throw CLIError("`extend \(arguments.joined(separator: " "))` did not finish within \(timeout)")
        }
        return CLIResult(
            arguments: arguments,
            status: process.terminationStatus,
            killedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: try Data(contentsOf: outURL),
            stderr: try Data(contentsOf: errURL))
    }
}

struct CLIResult: CustomStringConvertible {
    let arguments: [String]
    /// The exit code, or the signal number when `killedBySignal`.
    let status: Int32
    let killedBySignal: Bool
    let stdout: Data
    let stderr: Data

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Exited on its own (no signal, no trap) with `code`.
    func exited(_ code: Int32) -> Bool { !killedBySignal && status == code }
    /// Crashed, whatever the exit path: a signal, or a Swift runtime trap's report.
    var crashed: Bool {
        killedBySignal || stderrText.contains("Fatal error") || stderrText.contains("Program crashed")
    }

    /// The whole run, for failure messages.
    var description: String {
        "extend \(arguments.joined(separator: " "))\n"
            + (killedBySignal ? "killed by signal \(status)" : "exit \(status)") + "\n"
            + "--- stdout\n\(stdoutText)--- stderr\n\(stderrText)"
    }

    /// The stdout parsed as one JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: stdout) as? [String: Any] else {
            throw CLIError("stdout is not a JSON object:\n\(stdoutText)")
        }
        return object
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A temporary folder for one test, removed when the test is done.
final class TempFiles {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("extend-cli-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `bytes` at `name` and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A path inside the folder where nothing is.
    func missing(_ name: String) -> String { root + "/" + name }
}
