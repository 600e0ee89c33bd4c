import ConformanceSupport
import ExtendCore
import ExtendSSH
import LabSupport
import Testing

extension HostLabBacked {
    /// Hosts that cannot be verified, authenticated or reached are reported
    /// and left alone; the others in the same run converge.
    @Suite("Unreachable hosts")
    struct UnreachableHosts {
        @Test("unknown host key, wrong key, wrong user and a dead address are reported unreachable; the other hosts converge; one report per host, in order")
        func fleetWithBadHosts() async throws {
            try await Lab.withHosts(count: 3) { lab in
                let good = [lab.hosts[0], lab.hosts[1]], bad = lab.hosts[2]
                let policy = NP.policy(labNamespace, "deny-ingress", types: [.ingress])
                let agents = try lab.agents(good.map { lab.legacyHost($0) } + [lab.legacyHost(bad)], policies: [policy])
                let desired = agents[2].desired

                // known_hosts holds every host but `bad`.
                let partial = try lab.writeKnownHosts(good.map { Lab.knownHostsLine(for: $0) }, named: "known_hosts-partial")
                let stranger = try lab.makeKey(named: "stranger", authorize: false)
                func agent(_ endpoint: SSHEndpoint) -> HostAgent { HostAgent(endpoint: endpoint, desired: desired, options: .lab) }
                let fleet = [
                    agents[0],
                    agent(lab.endpoint(bad, name: "unknown-key", knownHosts: partial)),
                    agent(lab.endpoint(bad, name: "wrong-key", key: stranger)),
                    agents[1],
                    agent(lab.endpoint(bad, name: "wrong-user", user: "npx-nobody")),
                    agent(lab.endpoint(bad, name: "gone", address: lab.unusedAddress, connectTimeout: .seconds(3))),
                ]
                let reports = await Fleet.run(fleet, mode: .apply, concurrency: 3)
                #expect(reports.map(\.host) == fleet.map(\.endpoint.name))
                let by = Dictionary(uniqueKeysWithValues: reports.map { ($0.host, $0) })

                for h in good {
                    #expect(by[h.name]?.status == .applied, "\(by[h.name]?.message ?? "no report")")
                }
                for name in ["unknown-key", "wrong-key", "wrong-user", "gone"] {
                    #expect(by[name]?.status == .unreachable, "\(name): \(by[name]?.message ?? "no report")")
                    #expect(by[name]?.message.contains(name) == true, "\(name): the message must name the host")
                }
                let unknown = by["unknown-key"]?.message ?? ""
                #expect(unknown.contains("\(bad.address):\(bad.port)"))
                #expect(unknown.contains(partial), "names the known_hosts file: \(unknown)")
                #expect(unknown.contains("is not in"), "\(unknown)")
                let wrongKey = by["wrong-key"]?.message ?? ""
                #expect(wrongKey.contains("authentication as root to"), "\(wrongKey)")
                #expect(wrongKey.contains(stranger.path), "names the key file: \(wrongKey)")
                let wrongUser = by["wrong-user"]?.message ?? ""
                #expect(wrongUser.contains("authentication as npx-nobody to"), "\(wrongUser)")
                #expect(by["gone"]?.message.contains(lab.unusedAddress) == true, "\(by["gone"]?.message ?? "")")

                // The refused host was never touched; the good ones hold their rules.
                #expect(try HostState.read(lab, bad).holdsNothingOfOurs)
                let diffs = await Fleet.run(Array(agents.prefix(2)), mode: .diff, concurrency: 2)
                #expect(diffs.allSatisfy { $0.status == .inSync }, "\(diffs.map(\.message))")
            }
        }
    }
}
