import Foundation
import LabSupport
#if canImport(Glibc)
import Glibc
#endif

/// The machine's processes as /proc shows them, to find what runs under a
/// lab host's sshd (the sessions it forked, the commands they run). Only the
/// descendants of a pid the lab recorded are ever signalled.
struct ProcessTree {
    struct Entry: Hashable {
        var pid: Int32
        var parent: Int32
        /// The session it belongs to: its own pid once it has called setsid.
        var session: Int32 = 0
        var arguments: [String]
        var commandLine: String { arguments.joined(separator: " ") }
        /// The host-side rollback: `sh RUN-SCRIPT … npx-rollback-TOKEN` (the
        /// apply script that starts it also holds that text, but not as its last argument).
        var isRollback: Bool { arguments.first == "sh" && arguments.last?.hasPrefix("npx-rollback-") == true }
        /// The rollback, detached: it leads a session of its own, so that what
        /// ends the SSH session does not reach it.
        var isDetachedRollback: Bool { isRollback && session == pid }
    }

    var entries: [Int32: Entry] = [:]

    static func read() -> ProcessTree {
        var tree = ProcessTree()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in names {
            guard let pid = Int32(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // … state ppid pgrp session …
            guard fields.count > 3, let parent = Int32(fields[1]), let session = Int32(fields[3]),
                  fields[0] != "Z" else { continue }
            let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") ?? Data()
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            tree.entries[pid] = Entry(pid: pid, parent: parent, session: session, arguments: arguments)
        }
        return tree
    }

    /// The detached rollbacks in the network namespace of process `member`
    /// (the host's sshd): a detached process need not be below sshd any more.
    func detachedRollbacks(besides member: Int32) -> [Entry] {
        let netns = Self.networkNamespace(of: member)
        return entries.values.filter { $0.isDetachedRollback && netns != nil && Self.networkNamespace(of: $0.pid) == netns }
    }

    static func networkNamespace(of pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
    }

    /// Every process below `root`, leaving out the subtrees whose top process
    /// `spare` picks (they and everything under them).
    func descendants(of root: Int32, sparing spare: (Entry) -> Bool = { _ in false }) -> [Entry] {
        var children: [Int32: [Entry]] = [:]
        for e in entries.values { children[e.parent, default: []].append(e) }
        var out: [Entry] = []
        var queue = children[root] ?? []
        while let e = queue.popLast() {
            if spare(e) { continue }
            out.append(e)
            queue += children[e.pid] ?? []
        }
        return out
    }
}

extension Lab {
    /// Pending or running host-side rollbacks inside `host` (their command
    /// line carries the apply's token, `npx-rollback-…`).
    func rollbacks(in host: LabHost) throws -> [String] {
        let pids = try Lab.run(["ip", "netns", "pids", host.netns]).stdoutText.split(whereSeparator: \.isWhitespace)
        return pids.compactMap { pid in
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            let e = ProcessTree.Entry(pid: Int32(pid) ?? 0, parent: 0,
                                      arguments: raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            return e.isRollback ? e.commandLine : nil
        }
    }
}
