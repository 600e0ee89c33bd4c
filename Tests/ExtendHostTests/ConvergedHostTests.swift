import ConformanceSupport
import ExtendCore
import ExtendSSH
import LabSupport
import Foundation
import Testing

extension HostLabBacked {
    /// A converged host is read, never written: no rollback is scheduled, no
    /// snapshot taken, no lock file touched.
    @Suite("Converged hosts")
    struct ConvergedHosts {
        /// Every file the product keeps on the host, with its size, mtime and ctime.
        static func footprint(_ lab: Lab, _ host: LabHost) throws -> String {
            try lab.shell(host, "find /var/lib/netpol-extend /run/netpol-extend -printf '%p %y %s %T@ %C@\\n' | sort")
        }

        /// SSH connections and remote commands the host's sshd has seen so far
        /// (its log is VERBOSE: one "Accepted publickey" per connection, one
        /// "Starting session: command" per command).
        /// sshd's processes write their lines a moment after the client is
        /// done: wait (up to 5 s) for at least `atLeast`, then a little more
        /// so that any extra round trip is counted too.
        static func roundTrips(_ lab: Lab, _ host: LabHost, atLeast: (Int, Int)) async throws -> (connections: Int, commands: Int) {
            func read() throws -> (connections: Int, commands: Int) {
                let lines = try String(contentsOfFile: host.sshdLogPath, encoding: .utf8).split(whereSeparator: \.isNewline)  // sshd -E writes CRLF
                return (lines.count { $0.contains("Accepted publickey for ") },
                        lines.count { $0.contains("Starting session: command") })
            }
            _ = try await poll(timeout: .seconds(5)) {
                let now = try read()
                return now.connections >= atLeast.0 && now.commands >= atLeast.1
            }
            try await Task.sleep(for: .milliseconds(300))
            return try read()
        }

        @Test("a changed host costs two connections and two commands, a converged one one of each; a second apply writes nothing and says in-sync")
        func secondApplyWritesNothing() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let hosts = [lab.legacyHost(host, labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])],
                                          egress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"])])])]
                let agent = try lab.agents(hosts, policies: policies)[0]
                let before = try await Self.roundTrips(lab, host, atLeast: (0, 0))
                let first = try await agent.applyOffPool()
                #expect(first.status == .applied, "\(first.message)")
                // A changed host: one session that reads and loads, one over a
                // fresh connection that reads again and confirms.
                let changed = try await Self.roundTrips(lab, host, atLeast: (before.connections + 2, before.commands + 2))
                #expect(changed.connections - before.connections == 2 && changed.commands - before.commands == 2,
                        "a changed host took \(changed.connections - before.connections) connection(s) and \(changed.commands - before.commands) command(s)")

                let files = try Self.footprint(lab, host)
                #expect(files.contains("/var/lib/netpol-extend/rollback d"), "the first apply left its snapshot: \(files)")
                #expect(!files.contains("rollback.pid"), "a confirmed apply leaves no pending rollback: \(files)")
                let rules = try HostState.read(lab, host)
                // Timestamps have a fine grain, but let a clock tick pass anyway.
                try await Task.sleep(for: .milliseconds(20))

                let second = try await agent.applyOffPool()
                let converged = try await Self.roundTrips(lab, host, atLeast: (changed.connections + 1, changed.commands + 1))
                #expect(converged.connections - changed.connections == 1 && converged.commands - changed.commands == 1,
                        "a converged host took \(converged.connections - changed.connections) connection(s) and \(converged.commands - changed.commands) command(s)")
                #expect(second.status == .inSync)
                #expect(second.message == "in sync; nothing written")
                #expect(second.diff.isEmpty && second.added == 0 && second.removed == 0)
                #expect(try Self.footprint(lab, host) == files)
                #expect(try HostState.read(lab, host) == rules)
                #expect(try lab.exec(in: host, ["test", "-e", "/var/lib/netpol-extend/rollback.log"]).status != 0)
            }
        }
    }
}
