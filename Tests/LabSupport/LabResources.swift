import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything a lab made, recorded just before it is made, so that teardown
/// (after a test, or after a failed setup) removes exactly that and no more.
final class LabResources: @unchecked Sendable {
    private let lock = NSLock()
    private var namespaces: [String] = []
    /// Links in the root namespace, in creation order (veths, then bridge first-created).
    private var links: [String] = []
    /// Our own child processes, by pid, with what they are.
    private var children: [pid_t: String] = [:]
    private var directories: [String] = []
    /// Where the record is also kept on disk (see `keepJournal`), so that a
    /// later lab can remove what a crashed test process could not.
    private var journal: String?

    func record(namespace: String) { lock.withLock { namespaces.append(namespace); writeJournal() } }
    func record(link: String) { lock.withLock { links.append(link); writeJournal() } }
    func record(child pid: pid_t, _ what: String) { lock.withLock { children[pid] = what; writeJournal() } }
    func record(directory: String) { lock.withLock { directories.append(directory); writeJournal() } }
    func forget(child pid: pid_t) { lock.withLock { children.removeValue(forKey: pid); writeJournal() } }

    /// From now on, every record is also written to `path` (in the lab's own
    /// directory), with this process as its owner: pid and start time.
    func keepJournal(at path: String) {
        lock.withLock {
            journal = path
            writeJournal()
        }
    }

    /// One line per resource: `owner PID START`, `namespace N`, `link L`,
    /// `child PID`, `directory D`. Called with the lock held.
    private func writeJournal() {
        guard let journal else { return }
        let me = getpid()
        var lines = ["owner \(me) \(LabProcess.startTime(of: me) ?? "?")"]
        lines += namespaces.map { "namespace \($0)" } + links.map { "link \($0)" }
        lines += children.keys.sorted().map { "child \($0)" } + directories.map { "directory \($0)" }
        let tmp = journal + ".new"
        if FileManager.default.createFile(atPath: tmp, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) {
            _ = rename(tmp, journal)
        }
    }

    /// The resources a journal names, to tear down; nil unless its owner
    /// process is gone (a live test process tears down its own).
    static func abandoned(journal path: String) -> (resources: LabResources, children: [pid_t])? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let r = LabResources()
        var children: [pid_t] = []
        var owned = false
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { continue }
            switch words[0] {
            case "owner":
                let owner = words[1].split(separator: " ").map(String.init)
                guard owner.count == 2, let pid = pid_t(owner[0]) else { return nil }
                // Alive with the same start time: the same process, still working.
                if LabProcess.startTime(of: pid) == owner[1] { return nil }
                owned = true
            case "namespace": r.namespaces.append(words[1])
            case "link": r.links.append(words[1])
            case "child": if let pid = pid_t(words[1]) { children.append(pid) }
            case "directory": r.directories.append(words[1])
            default: continue
            }
        }
        return owned ? (r, children) : nil
    }

    var recordedNamespaces: [String] { lock.withLock { namespaces } }
    var recordedLinks: [String] { lock.withLock { links } }
    var recordedChildren: [pid_t] { lock.withLock { Array(children.keys) } }

    /// Removes everything recorded; returns what could not be removed.
    /// Safe to call more than once, and from any thread.
    func tearDown() -> [String] {
        let (children, namespaces, links, directories) = lock.withLock {
            defer {
                self.children = [:]
                self.namespaces = []
                self.links = []
                self.directories = []
            }
            return (self.children, self.namespaces, self.links, self.directories)
        }
        var problems: [String] = []

        // Our own children (sshd, ssh-agent, …): TERM, then KILL, and reap.
        for pid in children.keys { LabProcess.terminate(pid) }

        // Anything else still inside our namespaces (sshd's session processes
        // outlive a killed listener): found by namespace, signalled by pid.
        for namespace in namespaces {
            killProcesses(in: namespace, problems: &problems)
        }
        for namespace in namespaces {
            let result = try? LabProcess.run(["ip", "netns", "delete", namespace])
            if let result, !result.succeeded, !result.stderrText.contains("No such file") {
                problems.append("ip netns delete \(namespace): \(result.stderrText)")
            }
        }
        // veths go with their namespace; delete what is left, bridge last.
        for link in links.reversed() {
            let result = try? LabProcess.run(["ip", "link", "delete", link])
            if let result, !result.succeeded, !result.stderrText.contains("Cannot find device") {
                problems.append("ip link delete \(link): \(result.stderrText)")
            }
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
        let left = (try? LabProcess.run(["ip", "netns", "list"]))?.stdoutText ?? ""
        for namespace in namespaces where left.split(separator: "\n").contains(where: { $0.split(separator: " ").first.map(String.init) == namespace }) {
            problems.append("network namespace \(namespace) is still there")
        }
        return problems
    }

    private func killProcesses(in namespace: String, problems: inout [String]) {
        for signal in [SIGTERM, SIGKILL] {
            let deadline = ContinuousClock.now + .seconds(2)
            var signalled = false
            while ContinuousClock.now < deadline {
                let pids = processes(in: namespace)
                if pids.isEmpty { return }
                if !signalled {
                    for pid in pids { kill(pid, signal) }
                    signalled = true
                }
                usleep(20_000)
            }
        }
        let pids = processes(in: namespace)
        if !pids.isEmpty {
            problems.append("processes \(pids) in \(namespace) did not end")
        }
    }

    private func processes(in namespace: String) -> [pid_t] {
        guard let result = try? LabProcess.run(["ip", "netns", "pids", namespace]), result.succeeded else {
            return []
        }
        return result.stdoutText.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }
}
