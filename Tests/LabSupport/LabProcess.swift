import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts local processes with posix_spawn and keeps to their pids: the lab
/// only ever signals processes it started (or found inside its own network
/// namespaces), never anything found by name.
enum LabProcess {
    /// Writing stdin to a child that has exited must fail with EPIPE, not kill the test process.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's
    /// Glibc module does not declare: children get no descriptor of ours beyond 0–2.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Runs `argv` to completion (killing it at `timeout`) and collects its output.
    static func run(
        _ argv: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) throws(LabError) -> LabCommandResult {
        _ = sigpipeIgnored
        let input = stdin.isEmpty ? nil : try makePipe()
        let output = try makePipe()
        let errors = try makePipe()
        // Only our ends are non-blocking: the child's ends are shared file
        // descriptions, and a child whose stdin reads EAGAIN takes it for the
        // end of its input (`ipset restore` then restores nothing, exit 0).
        for end in [input?.write, output.read, errors.read] {
            if let end { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        }
        let pid: pid_t
        do {
            pid = try launch(argv, environment: environment,
                             stdin: input?.read, stdout: output.write, stderr: errors.write)
        } catch {
            for end in [input?.read, input?.write, output.read, output.write, errors.read, errors.write] {
                if let end { close(end) }
            }
            throw error
        }
        if let input { close(input.read) }
        close(output.write)
        close(errors.write)

        var inputEnd = input?.write
        var written = 0
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var open = [output.read, errors.read]
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var timedOut = false

        while !open.isEmpty || inputEnd != nil {
            let remaining = deadline - .now
            if remaining <= .zero {
                timedOut = true
                break
            }
            var entries = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let inputEnd { entries.append(pollfd(fd: inputEnd, events: Int16(POLLOUT), revents: 0)) }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&entries, nfds_t(entries.count), min(milliseconds, 1000))
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            for entry in entries where entry.revents != 0 {
                if entry.fd == inputEnd {
                    let count = stdin[written...].withUnsafeBytes { write(entry.fd, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if count < 0 && errno != EAGAIN && errno != EINTR || written == stdin.count {
                        close(entry.fd)
                        inputEnd = nil
                    }
                    continue
                }
                let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == output.read {
                        stdout.append(contentsOf: chunk[0..<count])
                    } else {
                        stderr.append(contentsOf: chunk[0..<count])
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for descriptor in open { close(descriptor) }
        if let inputEnd { close(inputEnd) }
        if timedOut { kill(pid, SIGKILL) }
        let status = reap(pid)
        if timedOut {
            throw LabError("`\(argv.joined(separator: " "))` did not finish within \(timeout); killed it")
        }
        return LabCommandResult(argv: argv, status: status, stdout: stdout, stderr: stderr)
    }

    /// Runs `argv` and throws, with its stderr, unless it exits 0.
    @discardableResult
    static func check(
        _ argv: [String], stdin: [UInt8] = [], environment: [String: String] = [:]
    ) throws(LabError) -> LabCommandResult {
        let result = try run(argv, stdin: stdin, environment: environment)
        guard result.succeeded else {
            throw LabError("`\(argv.joined(separator: " "))` exited \(result.status): "
                + result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }

    /// Starts `argv` in the background with stdout and stderr appended to
    /// `logFile` (or discarded); returns its pid, which the caller records.
    static func spawn(
        _ argv: [String], environment: [String: String] = [:], logFile: String? = nil
    ) throws(LabError) -> pid_t {
        let log = logFile.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) } ?? -1
        defer { if log >= 0 { close(log) } }
        return try launch(argv, environment: environment, stdin: nil,
                          stdout: log >= 0 ? log : nil, stderr: log >= 0 ? log : nil)
    }

    /// Whether our child `pid` is still running (reaps it if it has exited).
    /// The process's start time (field 22 of /proc/PID/stat, in clock
    /// ticks since boot), which tells it from a later process with its pid.
    static func startTime(of pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm)", fields 3… ; the start time is the 22nd field.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGTERM to our child `pid`, SIGKILL after `grace`, then reaps it.
    static func terminate(_ pid: pid_t, grace: Duration = .seconds(3)) {
        guard pid > 0 else { return }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) != 0 { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = reap(pid)
    }

    /// Waits for our child and decodes its status.
    @discardableResult
    static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func makePipe() throws(LabError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw LabError("pipe(2) failed: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }

    private static func launch(
        _ argv: [String], environment: [String: String], stdin: Int32?, stdout: Int32?, stderr: Int32?
    ) throws(LabError) -> pid_t {
        guard let program = argv.first else { throw LabError("cannot start an empty command") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source, mode) in [(Int32(0), stdin, O_RDONLY), (1, stdout, O_WRONLY), (2, stderr, O_WRONLY)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", mode, 0)
            }
        }
        if let closeFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, new in new }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, &actions, &attributes, cArguments, cEnvironment)
        guard status == 0 else {
            throw LabError("cannot start `\(argv.joined(separator: " "))`: \(String(cString: strerror(status)))")
        }
        return pid
    }
}
