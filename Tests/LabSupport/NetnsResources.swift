import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything a kernel lab made, recorded just before it is made, so that
/// teardown (after a test, or after a failed setup) removes exactly that.
final class NetnsResources: @unchecked Sendable {
    private let lock = NSLock()
    private var namespaces: [String] = []
    /// Root-namespace links in creation order (bridge first, then veths).
    private var links: [String] = []
    private var processes: [(process: Process, what: String)] = []
    private var directories: [String] = []

    func record(namespace: String) { lock.withLock { namespaces.append(namespace) } }
    func record(link: String) { lock.withLock { links.append(link) } }
    func record(process: Process, _ what: String) { lock.withLock { processes.append((process, what)) } }
    func record(directory: String) { lock.withLock { directories.append(directory) } }

    var recordedProcesses: [Int32] {
        lock.withLock { processes.filter { $0.process.isRunning }.map { $0.process.processIdentifier } }
    }

    /// Removes everything recorded; returns what could not be removed.
    /// Safe to call more than once, and from any thread.
    func tearDown() -> [String] {
        let (processes, namespaces, links, directories) = lock.withLock {
            defer {
                self.processes = []
                self.namespaces = []
                self.links = []
                self.directories = []
            }
            return (self.processes, self.namespaces, self.links, self.directories)
        }
        var problems: [String] = []
        let scratch = directories.first ?? NSTemporaryDirectory()

        // Our own children, by the pid recorded when they started. While one
        // lives, its namespace (and so its veth) outlives `ip netns delete`.
        for (process, what) in processes where !stop(process) {
            problems.append("\(what) (pid \(process.processIdentifier)) did not end")
        }
        // Anything else still inside our namespaces (a prober killed at its
        // timeout leaves nothing, but be sure): found by namespace, signalled by pid.
        for namespace in namespaces {
            killProcesses(in: namespace, scratch: scratch, problems: &problems)
        }
        if !namespaces.isEmpty {
            let batch = namespaces.map { "netns delete \($0)" }
            // -force: go on after a namespace that was never made.
            _ = run(["ip", "-force", "-batch", "-"], stdin: batch.joined(separator: "\n") + "\n", scratch: scratch)
        }
        // veths go with their namespace; delete what is left, bridge last.
        for link in links.reversed() where linkExists(link, scratch: scratch) {
            if let r = run(["ip", "link", "delete", link], scratch: scratch), !r.succeeded,
               !r.stderr.contains("Cannot find device") {
                problems.append("ip link delete \(link): \(r.stderr)")
            }
        }
        // A namespace's veth is destroyed asynchronously after the namespace goes.
        let deadline = ContinuousClock.now + .seconds(5)
        var left = links.filter { linkExists($0, scratch: scratch) }
        while !left.isEmpty && ContinuousClock.now < deadline {
            usleep(20_000)
            left = left.filter { linkExists($0, scratch: scratch) }
        }
        if !left.isEmpty { problems.append("links \(left) are still there") }
        let listed = run(["ip", "netns", "list"], scratch: scratch)?.stdout ?? ""
        let stillThere = Set(listed.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        for namespace in namespaces where stillThere.contains(namespace) {
            problems.append("network namespace \(namespace) is still there")
        }
        for directory in directories {
            do {
                try FileManager.default.removeItem(atPath: directory)
            } catch {
                if FileManager.default.fileExists(atPath: directory) {
                    problems.append("cannot remove \(directory): \(error)")
                }
            }
        }
        return problems
    }

    /// SIGKILL, then waits until it has been reaped. Nothing a lab starts
    /// keeps state worth a graceful exit, and a child of Foundation's
    /// `Process` inherits the starting thread's signal mask, where SIGTERM may
    /// well be blocked.
    private func stop(_ process: Process) -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(1_000) }
        return !process.isRunning
    }

    private func killProcesses(in namespace: String, scratch: String, problems: inout [String]) {
        var pids = processes(in: namespace, scratch: scratch)
        if pids.isEmpty { return }
        for pid in pids { kill(pid, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(5)
        while !pids.isEmpty && ContinuousClock.now < deadline {
            usleep(10_000)
            pids = processes(in: namespace, scratch: scratch)
        }
        if !pids.isEmpty { problems.append("processes \(pids) in \(namespace) did not end") }
    }

    private func processes(in namespace: String, scratch: String) -> [pid_t] {
        guard let r = run(["ip", "netns", "pids", namespace], scratch: scratch), r.succeeded else { return [] }
        return r.stdout.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    private func linkExists(_ name: String, scratch: String) -> Bool {
        FileManager.default.fileExists(atPath: "/sys/class/net/\(name)")
    }

    private func run(_ argv: [String], stdin: String? = nil, scratch: String) -> NetnsCommandResult? {
        let prefix = scratch + "/teardown-" + NetnsLab.randomHex(8)
        return try? NetnsCommand.start(argv, stdin: stdin, scratch: prefix).wait(timeout: .seconds(30))
    }
}
