import Foundation
import LabSupport
import Testing

extension LabBacked {
    @Suite("The lab itself")
    struct LabItself {
        struct Planned: Error {}

        /// What a lab leaves behind, read from the machine.
        private func leftovers(namespaces: [String], bridge: String, directory: String, pids: [Int32]) throws -> [String] {
            var left: [String] = []
            let listed = try Lab.run(["ip", "netns", "list"]).stdoutText
            for namespace in namespaces where listed.split(separator: "\n").contains(where: { $0.hasPrefix(namespace + " ") || $0 == namespace }) {
                left.append("netns \(namespace)")
            }
            if try Lab.run(["ip", "link", "show", bridge]).succeeded { left.append("bridge \(bridge)") }
            if FileManager.default.fileExists(atPath: directory) { left.append("directory \(directory)") }
            for pid in pids where isAlive(pid) { left.append("process \(pid)") }
            return left
        }

        /// Running or stopped, not gone and not a zombie (orphans are reparented
        /// to PID 1, which may not reap them on this machine).
        private func isAlive(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let state = stat[stat.index(after: close)...].split(separator: " ").first
            return state != "Z" && state != "X"
        }

        @Test("after withHosts returns, its namespaces, bridge, processes and files are gone")
        func cleansUpAfterReturn() async throws {
            let (namespaces, bridge, directory, pids) = try await Lab.withHosts(count: 2) { lab in
                let listed = try Lab.run(["ip", "netns", "list"]).stdoutText
                for namespace in lab.namespaces { #expect(listed.contains(namespace)) }
                #expect(lab.processIDs.count == 2)
                return (lab.namespaces, lab.bridge, lab.directory, lab.processIDs)
            }
            #expect(try leftovers(namespaces: namespaces, bridge: bridge, directory: directory, pids: pids) == [])
        }

        @Test("after withHosts throws, everything is gone too, including processes left inside the namespaces")
        func cleansUpAfterThrow() async throws {
            var seen: (namespaces: [String], bridge: String, directory: String, pids: [Int32])?
            var orphan: Int32?
            await #expect(throws: Planned.self) {
                try await Lab.withHosts(count: 1) { lab in
                    // A process the lab did not start, left running in the host:
                    // teardown finds it by namespace.
                    let started = try lab.exec(in: lab.hosts[0], ["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"])
                    orphan = Int32(started.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
                    seen = (lab.namespaces, lab.bridge, lab.directory, lab.processIDs)
                    throw Planned()
                }
            }
            let recorded = try #require(seen)
            #expect(try leftovers(namespaces: recorded.namespaces, bridge: recorded.bridge,
                                  directory: recorded.directory, pids: recorded.pids) == [])
            let pid = try #require(orphan)
            #expect(!isAlive(pid))
        }

        @Test("a lab whose test process died (its journal's owner is gone) is removed by the next lab: namespaces, bridge, processes, files; a live lab is left alone")
        func abandonedLabIsRemoved() async throws {
            try await Lab.withHosts(count: 1) { live in
                let dead = try Lab(count: 2)
                defer { dead.tearDown() }
                let seen = (dead.namespaces, dead.bridge, dead.directory, dead.processIDs)
                // Its owner, as a crashed test process leaves it: a pid whose
                // process is gone (a child of ours that has ended).
                let gone = try Lab.run(["sh", "-c", "echo $$"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
                let journal = dead.directory + "/resources"
                let text = try String(contentsOfFile: journal, encoding: .utf8)
                let lines = text.split(separator: "\n").map { $0.hasPrefix("owner ") ? "owner \(gone) 1" : String($0) }
                try (lines.joined(separator: "\n") + "\n").write(toFile: journal, atomically: true, encoding: .utf8)

                #expect(Lab.removeAbandoned() == [])
                #expect(try leftovers(namespaces: seen.0, bridge: seen.1, directory: seen.2, pids: seen.3) == [])
                // The live lab (this process owns it) is all still there.
                #expect(try leftovers(namespaces: live.namespaces, bridge: live.bridge, directory: live.directory, pids: live.processIDs).count
                        == live.namespaces.count + 2 + live.processIDs.count)
            }
        }

        @Test("two labs at once get distinct names and subnets inside 198.18.0.0/15, and only .1 in the root namespace")
        func concurrentLabsDoNotCollide() async throws {
            try await Lab.withHosts(count: 1) { first in
                try await Lab.withHosts(count: 1) { second in
                    #expect(first.id != second.id)
                    #expect(first.subnet != second.subnet)
                    #expect(first.bridge != second.bridge)
                    #expect(Set(first.namespaces).isDisjoint(with: second.namespaces))
                    for lab in [first, second] {
                        #expect(lab.subnet.hasPrefix("198.18.") || lab.subnet.hasPrefix("198.19."))
                        #expect(lab.hosts.allSatisfy { $0.address.hasPrefix(String(lab.subnet.dropLast(4))) })
                        #expect(lab.bridge.utf8.count <= 15)
                        #expect(lab.hosts.allSatisfy { $0.veth.utf8.count <= 15 })
                        let addresses = try Lab.run(["ip", "-o", "addr", "show", "dev", lab.bridge]).stdoutText
                        #expect(addresses.contains("inet \(lab.managementAddress)/24"))
                        #expect(!addresses.contains("inet6"))
                    }
                    let inside = try first.exec(in: first.hosts[0], ["ip", "-o", "addr", "show"]).stdoutText
                    #expect(!inside.contains("fe80"))
                }
            }
        }
    }
}
