import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run of a child process, started with `posix_spawn` so that `wait4`
/// can return its resource usage (the peak RSS of that process alone).
/// Its stdout comes through a pipe that the caller reads in chunks (bytes are
/// counted, not kept), stdin is /dev/null, stderr goes to a file. A deadline
/// and a memory cap stop it with SIGKILL: the current `extend` can run for
/// minutes and take most of the machine's memory.
final class ChildProcess {
    let pid: pid_t
    private var stdoutFD: Int32
    private let started: ContinuousClock.Instant
    private let deadline: ContinuousClock.Instant?
    private let maxRSSKB: Int?
    private var lastRSSCheck: ContinuousClock.Instant
    private var outcome: ChildOutcome?
    private(set) var outputBytes = 0
    private(set) var stopped: ChildOutcome.Stop?
    /// The highest VmHWM seen in /proc, for a child that stops without being reaped normally.
    private var polledPeakKB = 0
    /// The first bytes of stdout, kept (up to `headLimit`) for small answers such as explain's.
    private(set) var head: [UInt8] = []
    private let headLimit: Int

    static let rssCheckInterval = Duration.milliseconds(100)

    init(executable: String, arguments: [String], stderrPath: String,
         timeout: Duration?, maxRSSMB: Int?, keepHead: Int = 0) throws(ChildError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildError("pipe: \(String(cString: strerror(errno)))") }
        // The child gets the write end as its stdout (dup2 clears the flag there), nothing else of ours.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        // "-": the child writes to our standard error.
        if stderrPath != "-" { posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        Self.lowerOwnPeak()
        let start = ContinuousClock.now
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw ChildError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        stdoutFD = fds[0]
        started = start
        deadline = timeout.map { start + $0 }
        maxRSSKB = maxRSSMB.map { $0 * 1024 }
        lastRSSCheck = start
        headLimit = keepHead
    }

    deinit {
        if outcome == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
        if stdoutFD >= 0 { close(stdoutFD) }
    }

    /// Reads the child's stdout into `buffer`; 0 at its end, or once the
    /// child was stopped (deadline, memory cap).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard stopped == nil, stdoutFD >= 0, let base = buffer.baseAddress else { return 0 }
        while true {
            if checkLimits() { return 0 }
            var p = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(pollTimeoutMS()))
            if ready < 0 {
                if errno == EINTR { continue }
                return 0
            }
            if ready == 0 { continue }
            let n = Glibc.read(stdoutFD, base, buffer.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return 0
            }
            outputBytes += n
            if head.count < headLimit {
                head += UnsafeRawBufferPointer(start: base, count: min(n, headLimit - head.count))
            }
            return n
        }
    }

    /// Reads (and counts) whatever stdout still holds, then waits for the child.
    /// The wall time runs from just before the spawn to the reaping.
    func finish() -> ChildOutcome {
        if let outcome { return outcome }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
        defer { chunk.deallocate() }
        while read(into: chunk) > 0 {}
        close(stdoutFD)
        stdoutFD = -1
        // stdout is closed, but the child may still run: wait for it, within the limits.
        while stopped == nil {
            if let done = reap(blocking: false) { return record(done) }
            if checkLimits() { break }
            usleep(1_000)
        }
        return record(reap(blocking: true) ?? (status: -1, usage: rusage()))
    }

    private func record(_ done: (status: Int32, usage: rusage)) -> ChildOutcome {
        let wall = ContinuousClock.now - started
        let termination: ChildOutcome.Termination
        if done.status < 0 {
            termination = .unknown
        } else if done.status & 0x7F == 0 {
            termination = .exited((done.status >> 8) & 0xFF)
        } else {
            termination = .signaled(done.status & 0x7F)
        }
        let result = ChildOutcome(termination: termination, stop: stopped, wall: wall,
                                  maxRSSKB: max(Int(done.usage.ru_maxrss), polledPeakKB), outputBytes: outputBytes)
        outcome = result
        return result
    }

    private func reap(blocking: Bool) -> (status: Int32, usage: rusage)? {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, blocking ? 0 : WNOHANG, &usage)
            if r == pid { return (status, usage) }
            if r == 0 { return nil }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// True once the child was stopped: past the deadline, or over the memory cap.
    private func checkLimits() -> Bool {
        if stopped != nil { return true }
        let now = ContinuousClock.now
        if let deadline, now >= deadline {
            stop(.timeout)
            return true
        }
        guard now - lastRSSCheck >= Self.rssCheckInterval else { return false }
        lastRSSCheck = now
        let (rss, hwm) = Self.memory(of: pid)
        polledPeakKB = max(polledPeakKB, hwm)
        if let maxRSSKB, rss > maxRSSKB {
            stop(.memoryCap)
            return true
        }
        return false
    }

    private func stop(_ reason: ChildOutcome.Stop) {
        polledPeakKB = max(polledPeakKB, Self.memory(of: pid).peak)
        stopped = reason
        kill(pid, SIGKILL)
    }

    private func pollTimeoutMS() -> Int {
        var ms = 100
        if let deadline {
            let left = deadline - ContinuousClock.now
            ms = min(ms, max(0, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
        }
        return max(1, ms)
    }

    /// A child spawned by posix_spawn (a vfork) starts out counting this
    /// process's peak memory as its own ru_maxrss (Linux carries the old mm's
    /// high-water mark over exec). So before each spawn this process hands
    /// freed memory back (malloc_trim) and resets its own high-water mark to
    /// what it holds now (`clear_refs` 5), which the caller keeps small.
    static func lowerOwnPeak() {
        _ = glibcMallocTrim(0)
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return }
        _ = write(fd, "5", 1)
        close(fd)
    }

    /// VmRSS and VmHWM of a running process, in KB (0 when unreadable).
    static func memory(of pid: pid_t) -> (rss: Int, peak: Int) {
        let fd = open("/proc/\(pid)/status", O_RDONLY)
        guard fd >= 0 else { return (0, 0) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 8192)
        let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return (0, 0) }
        var rss = 0, peak = 0
        for line in String(decoding: bytes[0..<n], as: UTF8.self).split(separator: "\n") {
            let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
            if line.hasPrefix("VmRSS:") { rss = value }
            if line.hasPrefix("VmHWM:") { peak = value }
        }
        return (rss, peak)
    }
}

/// How a child run ended.
struct ChildOutcome: Sendable {
    enum Termination: Sendable {
        case exited(Int32)
        case signaled(Int32)
        case unknown
    }
    enum Stop: Sendable {
        case timeout
        case memoryCap
    }
    var termination: Termination
    /// Set when the benchmark killed the child.
    var stop: Stop?
    var wall: Duration
    /// ru_maxrss from wait4 (the child's own peak), in KB.
    var maxRSSKB: Int
    var outputBytes: Int

    var succeeded: Bool {
        if stop != nil { return false }
        if case .exited(0) = termination { return true }
        return false
    }

    var seconds: Double {
        Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    }
}

struct ChildError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// glibc's malloc_trim (malloc.h is not part of the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
