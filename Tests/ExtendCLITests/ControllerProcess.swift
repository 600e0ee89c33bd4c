import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `extend controller` running in the background: its stderr (the log)
/// collected to a file, waited on by pattern, stopped with SIGTERM (or
/// SIGKILL after a grace period) by its recorded pid, always.
final class ControllerProcess {
    let process = Process()
    let directory: URL
    let logPath: String
    private var stopped = false

    init(_ arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("extend-controller-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logPath = directory.appendingPathComponent("stderr").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw CLIError("cannot create \(logPath)") }
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds on the log, or the process exits, or
    /// the time is up; sleeps without holding a thread of the shared pool.
    @discardableResult
    func wait(for what: String, timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = log
            if condition(text) { return text }
            if !process.isRunning { throw CLIError("extend controller exited (\(process.terminationStatus)) before \(what):\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Once more: a test kept waiting past the deadline by a busy machine still sees the present.
        let text = log
        if condition(text) { return text }
        throw CLIError("timed out waiting for \(what):\n\(text)")
    }

    /// The first capture of `pattern` in the log, once it appears.
    func waitForMatch(_ pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        var found: String?
        try await wait(for: pattern, timeout: timeout) { text in
            let range = NSRange(text.startIndex..., in: text)
            guard let m = regex.firstMatch(in: text, range: range), let r = Range(m.range(at: 1), in: text) else { return false }
            found = String(text[r])
            return true
        }
        return found ?? ""
    }

    /// SIGTERM, then the exit status (SIGKILL after `grace`: a status of nil).
    @discardableResult
    func terminate(grace: Duration = .seconds(15)) async -> Int32? {
        guard !stopped, process.isRunning else { return terminateNow(grace: grace) }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return terminateNow(grace: .zero)
    }

    /// The same, blocking (for deinit and defer).
    @discardableResult
    func terminateNow(grace: Duration) -> Int32? {
        guard !stopped else { return process.isRunning ? nil : process.terminationStatus }
        stopped = true
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    func stop() { terminateNow(grace: .seconds(5)) }

    /// A sample's value in Prometheus text (`name{labels} value`), nil when absent.
    static func metric(_ text: String, _ sample: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    /// GET http://127.0.0.1:port/path: status and body (status 0: no answer).
    static func get(port: Int, _ path: String) async -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"),
              let (data, response) = try? await URLSession.shared.data(from: url) else { return (0, "") }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
