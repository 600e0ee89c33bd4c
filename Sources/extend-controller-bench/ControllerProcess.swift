import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One `extend controller` process, as a user runs it: stdin /dev/null,
/// stdout and stderr (its log) into a file. Read from outside only: its log,
/// its HTTP endpoint, and /proc for its memory and CPU time.
final class ControllerProcess: @unchecked Sendable {
    let pid: Int32
    let logPath: String
    /// Just before the process was started.
    let started: ContinuousClock.Instant
    private let process: Process

    init(executable: String, arguments: [String], logPath: String) throws {
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw BenchError("cannot write \(logPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_AUTH_SOCK"] = nil  // the inventory names the key; no agent
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        self.logPath = logPath
        self.process = process
        started = ContinuousClock.now
        try process.run()
        pid = process.processIdentifier
    }

    var isRunning: Bool { process.isRunning }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for error messages.
    func logTail(_ lines: Int = 30) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The port logged as `listening on HOST:PORT` (the controller binds port 0 here).
    var listeningPort: Int? {
        let text = log
        guard let r = text.range(of: "listening on ") else { return nil }
        let rest = text[r.upperBound...].prefix { $0 != " " && $0 != "\n" }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...])
    }

    /// Waits for the port, polling the log; throws if the process ends or `timeout` passes.
    func waitForPort(timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = listeningPort { return port }
            guard isRunning else { throw BenchError("the controller exited (\(process.terminationStatus)) before it listened:\n\(logTail())") }
            usleep(5_000)
        }
        throw BenchError("the controller did not log its port within \(timeout):\n\(logTail())")
    }

    /// Polls /readyz every `every` until it answers 200; returns the instant it did.
    func waitReady(port: Int, timeout: Duration, every: Duration = .milliseconds(10)) throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if HTTPProbe.status(port: port, path: "/readyz") == 200 { return .now }
            guard isRunning else { throw BenchError("the controller exited (\(process.terminationStatus)) before it was ready:\n\(logTail())") }
            Thread.sleep(forTimeInterval: every.seconds)
        }
        throw BenchError("/readyz did not answer 200 within \(timeout):\n\(logTail())")
    }

    /// `VmHWM` (peak resident set) in kB, from /proc/PID/status.
    var peakRSSKB: Int? { statusField("VmHWM:") }
    var rssKB: Int? { statusField("VmRSS:") }

    private func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// User plus system CPU time so far, in seconds, from /proc/PID/stat.
    var cpuSeconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm)" come fields 3…; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM (a graceful stop, as Kubernetes does), SIGKILL after `grace`; returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(20)) -> Int32 {
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Plain-HTTP GETs on the controller's listener.
enum HTTPProbe {
    /// The status code of `GET http://127.0.0.1:PORT/PATH`, 0 when there is no answer.
    static func status(port: Int, path: String, timeout: TimeInterval = 2) -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return 0 }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let box = StatusBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, _ in
            box.set((response as? HTTPURLResponse)?.statusCode ?? 0)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success else { return 0 }
        return box.value
    }
}

extension HTTPProbe {
    /// The body of `GET http://127.0.0.1:PORT/PATH`, empty when there is no answer.
    static func body(port: Int, path: String, timeout: TimeInterval = 5) -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return "" }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let box = BodyBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            box.set(data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success else { return "" }
        return box.value
    }

    /// One sample's value, by its name and labels as /metrics prints them (0 when absent).
    static func value(_ sample: String, in text: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// The sum and count of a Prometheus summary or histogram `name` in `text`.
    static func sumAndCount(_ name: String, in text: String) -> (sum: Double, count: Double) {
        var sum = 0.0, count = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            let metric = parts[0].split(separator: "{").first.map(String.init) ?? ""
            if metric == name + "_sum" { sum += value }
            if metric == name + "_count" { count += value }
        }
        return (sum, count)
    }
}

private final class BodyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = ""
    var value: String { lock.withLock { _value } }
    func set(_ v: String) { lock.withLock { _value = v } }
}

private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = 0
    var value: Int { lock.withLock { _value } }
    func set(_ v: Int) { lock.withLock { _value = v } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
