import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// One fleet, two iptables backends: Debian's iptables package ships
    /// both, and which one `iptables` is depends on the host's alternatives.
    /// The same policies work on either, in that host's own tables.
    @Suite("A fleet of legacy and nf_tables hosts")
    struct MixedBackends {
        /// `save` run inside the host, stdout only (iptables-nft-save warns
        /// on stderr when legacy tables are present too).
        static func saved(_ lab: Lab, _ host: LabHost, _ save: String) throws -> String {
            let r = try lab.exec(in: host, [save])
            guard r.succeeded else { throw LabError("\(host.name): \(save) exited \(r.status): \(r.stderrText)") }
            return r.stdoutText
        }

        @Test("apply to a legacy and an nf_tables host: each reports its backend, holds the rules in its own backend's tables, admits and refuses traffic as the policies say, and diff is in sync")
        func legacyAndNFTablesTogether() async throws {
            try await Lab.withHosts(count: 3) { lab in
                let legacy = lab.hosts[0], nft = lab.hosts[1], outsider = lab.hosts[2]
                try lab.useIptables(.legacy, on: legacy)
                // The lab did what it says: on the legacy host, plain iptables is the legacy one.
                let version = try lab.shell(legacy, "iptables -V; ip6tables -V")
                try #require(version.split(separator: "\n").allSatisfy { $0.hasSuffix("(legacy)") }, "\(version)")
                #expect(try lab.shell(nft, "iptables -V").hasSuffix("(nf_tables)\n"))

                let listeners = try Listeners(in: [legacy.netns, nft.netns], ports: [5432, 8080], logDirectory: lab.directory)
                defer { listeners.stop() }
                func tcp(_ from: LabHost, _ to: LabHost, _ port: Int) -> (from: LabHost, probe: Traffic.WireProbe) {
                    (from, Traffic.WireProbe(src: from.address, dst: to.address, port: port, proto: "tcp"))
                }
                // Each host admits the other on 5432 and nothing else; the outsider is admitted nowhere.
                let probes: [(probe: (from: LabHost, probe: Traffic.WireProbe), admitted: Bool)] = [
                    (tcp(legacy, nft, 5432), true), (tcp(nft, legacy, 5432), true),
                    (tcp(legacy, nft, 8080), false), (tcp(nft, legacy, 8080), false),
                    (tcp(outsider, legacy, 5432), false), (tcp(outsider, nft, 5432), false),
                ]
                /// One verdict per probe, in order; each source sends its probes at once.
                func verdicts() async throws -> [String] {
                    var out = [String](repeating: "", count: probes.count)
                    for source in [legacy, nft, outsider] {
                        let mine = probes.indices.filter { probes[$0].probe.from == source }
                        let wire = mine.map { probes[$0].probe.probe }
                        let got = try await offPool { try Traffic.probe(from: source.netns, wire) }
                        for (i, v) in zip(mine, got) { out[i] = v }
                    }
                    return out
                }
                #expect(try await verdicts() == Array(repeating: "allowed", count: probes.count), "before the rules every probe connects")

                let hosts = [lab.legacyHost(legacy, labels: ["role": "a"]), lab.legacyHost(nft, labels: ["role": "b"])]
                let policies = [
                    NP.policy(labNamespace, "a", select: NP.labels(["role": "a"]),
                              ingress: [NP.rule([NP.pods(NP.labels(["role": "b"]))], ports: [NP.port(5432)])]),
                    NP.policy(labNamespace, "b", select: NP.labels(["role": "b"]),
                              ingress: [NP.rule([NP.pods(NP.labels(["role": "a"]))], ports: [NP.port(5432)])]),
                ]
                let agents = try lab.agents(hosts, policies: policies)
                let applied = await Fleet.run(agents, mode: .apply, concurrency: 2)
                for r in applied { #expect(r.status == .applied, "\(r.host): \(r.message)") }
                #expect(applied[0].backends == ["inet": "legacy", "inet6": "legacy"], "\(applied[0].backends)")
                #expect(applied[1].backends == ["inet": "nf_tables", "inet6": "nf_tables"], "\(applied[1].backends)")

                // Each host's rules are in its own backend's tables, and only there.
                for (host, agent, mine, other) in [(legacy, agents[0], "legacy", "nft"), (nft, agents[1], "nft", "legacy")] {
                    // Ingress isolation covers both families: both have chains of ours.
                    #expect(Set(agent.desired.tables.map(\.family)) == [.inet, .inet6])
                    for family in ["iptables", "ip6tables"] {
                        let there = try Self.saved(lab, host, "\(family)-\(mine)-save")
                        #expect(there.contains("-A INPUT -j NPX-INPUT"), "\(host.name) \(family)-\(mine)-save:\n\(there)")
                        let notThere = try Self.saved(lab, host, "\(family)-\(other)-save")
                        #expect(!notThere.contains("NPX-"), "\(host.name) \(family)-\(other)-save:\n\(notThere)")
                    }
                }

                #expect(try await verdicts() == probes.map { $0.admitted ? "allowed" : "denied" },
                        "probes: \(probes.map { "\($0.probe.probe.src)->\($0.probe.probe.dst):\($0.probe.probe.port)" })")

                let diffs = await Fleet.run(agents, mode: .diff, concurrency: 2)
                for r in diffs { #expect(r.status == .inSync, "\(r.host): \(r.message)\n\(r.diff)") }
                #expect(diffs.map(\.backends) == applied.map(\.backends))
            }
        }
    }
}
