import ConformanceSupport
import ExtendCore
import ExtendSSH
import LabSupport
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

        @Test("a second apply of the same rules writes nothing and says in-sync")
        func secondApplyWritesNothing() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let hosts = [lab.legacyHost(host, labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])],
                                          egress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"])])])]
                let agent = try lab.agents(hosts, policies: policies)[0]
                let first = try await agent.applyOffPool()
                #expect(first.status == .applied, "\(first.message)")

                let files = try Self.footprint(lab, host)
                #expect(files.contains("/var/lib/netpol-extend/rollback d"), "the first apply left its snapshot: \(files)")
                #expect(!files.contains("rollback.pid"), "a confirmed apply leaves no pending rollback: \(files)")
                let rules = try HostState.read(lab, host)
                // Timestamps have a fine grain, but let a clock tick pass anyway.
                try await Task.sleep(for: .milliseconds(20))

                let second = try await agent.applyOffPool()
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
