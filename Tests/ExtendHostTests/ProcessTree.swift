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
        var arguments: [String]
        var commandLine: String { arguments.joined(separator: " ") }
        /// The host-side rollback: `sh RUN-SCRIPT … npx-rollback-TOKEN` (the
        /// apply script that starts it also holds that text, but not as its last argument).
        var isRollback: Bool { arguments.first == "sh" && arguments.last?.hasPrefix("npx-rollback-") == true }
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
            guard fields.count > 2, let parent = Int32(fields[1]), fields[0] != "Z" else { continue }
            let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") ?? Data()
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            tree.entries[pid] = Entry(pid: pid, parent: parent, arguments: arguments)
        }
        return tree
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
