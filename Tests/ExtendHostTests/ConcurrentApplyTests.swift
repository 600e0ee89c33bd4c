import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension HostLabBacked {
    /// Two operators (or an operator and the controller) working one host
    /// at once: each apply goes in whole or not at all, and what the host
    /// ends with is exactly one of them.
    @Suite("Applies that meet on one host")
    struct ConcurrentApply {
        static func hosts(_ lab: Lab) -> [LegacyHost] {
            [lab.legacyHost(lab.hosts[0], labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
        }

        /// Two different rule sets for the database host.
        static func policies(port: Int, egress: Bool) -> [NetworkPolicy] {
            [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: egress ? [.ingress, .egress] : [.ingress],
                       ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(port)])],
                       egress: egress ? [NP.rule([NP.cidr("198.19.0.0/16")])] : [])]
        }

        /// The database's agents for the two rule sets.
        static func twoAgents(_ lab: Lab) throws -> (HostAgent, HostAgent) {
            (try lab.agents(hosts(lab), policies: policies(port: 5432, egress: false))[0],
             try lab.agents(hosts(lab), policies: policies(port: 8080, egress: true))[0])
        }

        /// Why an apply that met another may be refused; anything else is a bug.
        static let refusals = [
            "changed since they were read",     // the other loaded between our read and our apply
            "a rollback from an unconfirmed apply is still pending",  // the other is not confirmed yet
            "holds /run/netpol-extend/lock",   // the other held the lock past our wait
        ]

        @Test("two applies of different rules at once, on a fresh host and again on one that has rules: each goes in whole or is refused with its reason; the host ends with exactly the last one that went in, nothing pending, no scratch files left")
        func twoAppliesAtOnce() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let (a, b) = try Self.twoAgents(lab)
                // Round 1: nothing of ours on the host yet (no lock file either);
                // round 2: the host has rules and its lock file from round 1.
                for round in 1...2 {
                    async let ra = a.applyOffPool()
                    async let rb = b.applyOffPool()
                    let reports = try await [ra, rb]
                    let applied = zip([a, b], reports).filter { $0.1.status == .applied }.map(\.0.desired)
                    if round == 1 { #expect(!applied.isEmpty, "neither apply went in: \(reports.map(\.message))") }
                    // In sync is a true answer too: the host held that rule set when
                    // it was read (round 2, when round 1 ended with it).
                    for r in reports where r.status != .applied && r.status != .inSync {
                        #expect(r.status == .error && Self.refusals.contains { r.message.contains($0) },
                                "round \(round): \(r.status): \(r.message)")
                    }
                    // Exactly one rule set is on the host, and it is the last
                    // that went in (if any did): the other is not in sync.
                    var holding: [HostDesiredState] = []
                    for agent in [a, b] where try await agent.diffOffPool().status == .inSync { holding.append(agent.desired) }
                    #expect(holding.count == 1, "round \(round): \(holding.count) of the two rule sets are what the host holds: \(reports.map(\.message))")
                    if !applied.isEmpty, let held = holding.first {
                        #expect(applied.contains(held), "round \(round): the host holds a rule set that did not go in last: \(reports.map(\.message))")
                    }
                    #expect(try lab.rollbacks(in: host).isEmpty, "round \(round): a rollback is still pending")
                    let files = try lab.shell(host, "ls -A /var/lib/netpol-extend /run/netpol-extend")
                    #expect(!files.contains("apply."), "round \(round): scratch files left behind:\n\(files)")
                }
            }
        }

        /// The other apply is played by hand: it creates the host's lock file
        /// (as every apply does before it writes) and a set of ours.
        @Test("on a host that never had an apply, another apply that gets in between the read and the apply stops it: refused with its reason, nothing loaded")
        func changeBetweenReadAndApply() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                // The read's last step lingers, so the change lands in between.
                try lab.slowDown("/usr/sbin/ip6tables-save", by: 1.5, .after, on: host)
                let sshd = try #require(lab.sshdPID(of: host))
                let agent = try lab.agents(Self.hosts(lab), policies: Self.policies(port: 5432, egress: false))[0]
                let applying = Task { try await agent.applyOffPool() }
                let reading = try await poll(timeout: .seconds(30), interval: .milliseconds(10)) {
                    ProcessTree.read().descendants(of: sshd).contains { $0.arguments == ["sleep", "1.5"] }
                }
                try #require(reading, "the apply's read never reached ip6tables-save")
                let intruder = "npx-0123456789abcdef"
                try lab.shell(host, "mkdir -p /run/netpol-extend && : >> /run/netpol-extend/lock && ipset create \(intruder) hash:net family inet")
                let report = try await applying.value
                #expect(report.status == .error)
                #expect(report.message.contains("changed since they were read"), "\(report.message)")
                #expect(report.message.contains(host.name), "\(report.message)")
                let now = try HostState.read(lab, host)
                #expect(now.ours.hasPrefix("create \(intruder) hash:net family inet"), "\(now.ours)")
                #expect(!now.ours.contains("NPX-"), "rules were loaded: \(now.ours)")
                #expect(try lab.rollbacks(in: host).isEmpty)
            }
        }

        @Test("the scratch directory of an apply whose session was killed before it loaded anything is swept by the next apply")
        func killedSessionsScratchIsSwept() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let (a, b) = try Self.twoAgents(lab)
                #expect(try await a.applyOffPool().status == .applied)
                // What a session killed while it read its bundle leaves.
                try lab.shell(host, "mkdir /var/lib/netpol-extend/apply.Kill3d && echo half > /var/lib/netpol-extend/apply.Kill3d/ipset")
                let r = try await b.applyOffPool()
                #expect(r.status == .applied, "\(r.message)")
                let files = try lab.shell(host, "ls -A /var/lib/netpol-extend")
                #expect(!files.contains("apply."), "\(files)")
            }
        }
    }
}
