import Foundation
import LabSupport
#if canImport(Glibc)
import Glibc
#endif

/// Asks lab hosts' kernels whether an address is in an IP set, cheaply
/// enough to poll every few milliseconds: one long-lived `ipset -`
/// (interactive mode) per host, in the host's network namespace, fed `test
/// SET ADDRESS` lines. Each answer is one line on its stderr ("… is in set
/// …" or "… is NOT in set …"): one netlink round trip, no process started
/// per look, so polling 20 hosts does not take the CPU the controller needs.
final class SetProbe: @unchecked Sendable {
    private struct Shell {
        let host: String
        let process: Process
        let input: FileHandle
        let output: Int32
        var buffer: [UInt8] = []
    }
    private var shells: [Shell] = []
    private let lock = NSLock()

    init(lab: Lab) throws {
        for host in lab.hosts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ip", "netns", "exec", host.netns, "ipset", "-"]
            let input = Pipe(), answers = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice  // the "ipset> " prompts
            process.standardError = answers
            try process.run()
            shells.append(Shell(host: host.name, process: process, input: input.fileHandleForWriting,
                                output: answers.fileHandleForReading.fileDescriptor))
            // Keep the Pipe's read end open for as long as the shell: FileHandle owns the descriptor.
            retained.append(answers)
        }
    }
    private var retained: [Pipe] = []

    var count: Int { shells.count }

    /// Whether `address` is in `set` on each of the hosts `indices`, asked of all at once.
    /// A host whose set does not exist answers false; its line is kept in `unexpected`.
    func contains(_ set: String, _ address: String, on indices: [Int]) throws -> [Int: Bool] {
        try lock.withLock {
            let line = Data("test \(set) \(address)\n".utf8)
            for i in indices {
                do { try shells[i].input.write(contentsOf: line) } catch {
                    throw BenchError("the ipset probe of \(shells[i].host) is gone: \(error)")
                }
            }
            var result: [Int: Bool] = [:]
            for i in indices {
                let answer = try readLine(i)
                if answer.contains(" is NOT in set ") {
                    result[i] = false
                } else if answer.contains(" is in set ") {
                    result[i] = true
                } else {
                    result[i] = false
                    unexpected = "\(shells[i].host): \(answer)"
                }
            }
            return result
        }
    }

    /// The last answer that was neither yes nor no (e.g. the set does not exist).
    private(set) var unexpected: String?

    private func readLine(_ i: Int) throws -> String {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = shells[i].buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: shells[i].buffer[..<newline], as: UTF8.self)
                shells[i].buffer.removeSubrange(...newline)
                return line
            }
            var entry = pollfd(fd: shells[i].output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 5_000)
            if ready == 0 { throw BenchError("the ipset probe of \(shells[i].host) did not answer within 5 s") }
            if ready < 0 { if errno == EINTR { continue }; throw BenchError("poll: \(String(cString: strerror(errno)))") }
            let n = chunk.withUnsafeMutableBytes { read(shells[i].output, $0.baseAddress, $0.count) }
            if n <= 0 { throw BenchError("the ipset probe of \(shells[i].host) ended") }
            shells[i].buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Ends every `ipset -` (end of its input, then SIGKILL if it lingers). Idempotent.
    func close() {
        lock.withLock {
            for shell in shells {
                try? shell.input.close()
                let deadline = ContinuousClock.now + .seconds(2)
                while shell.process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
                if shell.process.isRunning { kill(shell.process.processIdentifier, SIGKILL) }
                shell.process.waitUntilExit()
            }
            shells = []
            retained = []
        }
    }
}
