import ConformanceSupport
import ExtendCore
import ExtendSSH
import LabSupport
import Testing

extension HostLabBacked {
    /// "Apply whole, own only ours": another tool's chains, rules (in every
    /// table, in their order) and sets survive apply, diff and cleanup byte
    /// for byte.
    @Suite("Foreign rules and sets")
    struct ForeignRules {
        /// Another firewall tool's state: sets, a chain of its own, rules in
        /// built-in chains of filter, nat and mangle, one using its set, and
        /// IPv6 rules; all inside the lab's ranges.
        static let foreignSetup = """
            set -e
            ipset create fw-allow hash:ip family inet
            ipset add fw-allow 198.18.0.99
            ipset add fw-allow 198.19.4.4
            ipset create fw-nets hash:net family inet
            ipset add fw-nets 198.19.8.0/24
            ipset create fw-six hash:net family inet6
            iptables -N FW-LOCAL
            iptables -A FW-LOCAL -s 198.18.0.99/32 -p tcp --dport 8080 -j ACCEPT
            iptables -A FW-LOCAL -m set --match-set fw-nets src -j RETURN
            iptables -A INPUT -m set --match-set fw-allow src -j ACCEPT
            iptables -A INPUT -j FW-LOCAL
            iptables -A INPUT -p tcp --dport 9999 -j REJECT --reject-with tcp-reset
            iptables -A OUTPUT -d 198.19.9.9/32 -p tcp --dport 25 -j REJECT
            iptables -A FORWARD -j DROP
            iptables -t nat -A POSTROUTING -s 198.19.10.0/24 -j MASQUERADE
            iptables -t mangle -A PREROUTING -p udp --dport 53 -j MARK --set-mark 7
            ip6tables -N FW6-LOCAL
            ip6tables -A FW6-LOCAL -p tcp --dport 2222 -j ACCEPT
            ip6tables -A INPUT -j FW6-LOCAL
            ip6tables -A INPUT -m set --match-set fw-six src -j DROP
            ip6tables -A OUTPUT -p udp --dport 514 -j DROP
            """

        @Test("apply, diff and cleanup leave every line that is not ours, and every set that is not ours, exactly as it was")
        func foreignStateUntouched() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let target = lab.hosts[0], peer = lab.hosts[1]
                try lab.shell(target, Self.foreignSetup)
                let before = try HostState.read(lab, target)
                #expect(before.holdsNothingOfOurs)
                #expect(before.foreign.contains("-A FW-LOCAL -s 198.18.0.99/32"))
                #expect(before.foreign.contains("create fw-allow"))

                // Both directions isolated, both families, named ports, ipBlock
                // with except: sets and chains of ours in both tables.
                let hosts = [lab.legacyHost(target, labels: ["role": "db"], ports: [NamedPort(name: "pg", port: 5432, proto: .tcp)]),
                             lab.legacyHost(peer, labels: ["role": "api"])]
                let policies = [
                    NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                              ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.named("pg")]),
                                        NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.4.0/24"])], ports: [NP.port(80)])],
                              egress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(8080), NP.port(53, .udp)])]),
                ]
                let agent = try lab.agents(hosts, policies: policies)[0]
                let applied = try await agent.applyOffPool()
                #expect(applied.status == .applied, "\(applied.message)")
                let afterApply = try HostState.read(lab, target)
                #expect(afterApply.foreign == before.foreign)
                #expect(afterApply.ours.contains("-A INPUT -j NPX-INPUT"))
                #expect(afterApply.ours.contains("create npx-"))

                let diffed = try await agent.diffOffPool()
                #expect(diffed.status == .inSync, "\(diffed.message)\n\(diffed.diff)")
                #expect(try HostState.read(lab, target) == afterApply)

                // Cleanup: policies that select nothing leave the host needing nothing.
                let nothing = [NP.policy(labNamespace, "db", select: NP.labels(["role": "none"]), types: [.ingress, .egress])]
                let cleanup = try lab.agents(hosts, policies: nothing)[0]
                #expect(cleanup.desired.needsNothing)
                let cleaned = try await cleanup.applyOffPool()
                #expect(cleaned.status == .applied, "\(cleaned.message)")
                let after = try HostState.read(lab, target)
                #expect(after.holdsNothingOfOurs, "left of ours: \(after.ours)")
                #expect(after.foreign == before.foreign)
                #expect(after == before)

                let again = try await cleanup.diffOffPool()
                #expect(again.status == .inSync, "\(again.message)")
            }
        }
    }
}
