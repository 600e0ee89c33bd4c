import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// The controller reads a host's counters after every run and has no use
    /// for the kernel log's denied flows (`extend audit` shows them): it asks
    /// the host to leave the kernel log out, and the host reads none.
    @Suite("Counters without the kernel log")
    struct CountersOption {
        @Test("readCounters(dropLog: false) reads the same counters and no kernel log; by default the kernel log is read", arguments: [SSHMode.shell, .restricted])
        func noDropLog(_ mode: SSHMode) async throws {
            try await Lab.withHosts(count: 2) { lab in
                let db = lab.hosts[0]
                let hosts = [lab.legacyHost(db, labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])])]
                var agent = try lab.agents(hosts, policies: policies)[0]
                #expect(try await agent.applyOffPool().status == .applied)
                if mode == .restricted {
                    let key = try await offPool { try lab.restrict(db) }.key
                    agent.endpoint = lab.endpoint(db, key: key, user: RestrictedMode.user)
                    agent.options.mode = .restricted
                }
                let reader = agent
                let full = try await offPool { reader.readCounters(reset: false) }
                let lean = try await offPool { reader.readCounters(reset: false, dropLog: false) }
                let fullCounters = try full.counters.get(), leanCounters = try lean.counters.get()
                #expect(full.dropLogSource == "dmesg", "this lab runs as root: the kernel log is readable")
                #expect(lean.dropLogSource == nil && lean.flows.isEmpty)
                #expect(leanCounters.allowed.map(\.policy) == fullCounters.allowed.map(\.policy) && leanCounters.denied.map(\.policies) == fullCounters.denied.map(\.policies),
                        "the same rules counted:\n\(leanCounters)\n\(fullCounters)")
                #expect(!fullCounters.isEmpty, "\(fullCounters)")

            }
        }
    }
}
