import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// The conformance data, end to end: every workload of the universe is a
    /// lab host with its own sshd; the policies are compiled, applied over SSH
    /// (and confirmed), and real TCP/UDP probes between the hosts must get the
    /// verdict the spec demands. Then a diff must find every host in sync.
    /// The lab is IPv4 only (198.18.0.0/15), so IPv6 cases are left out; SCTP
    /// probes are skipped (the listeners serve TCP and UDP; this kernel has no
    /// SCTP). One lab serves every case, one after the other, so each apply
    /// also converges the hosts away from the previous case's rules.
    @Suite("Conformance over SSH")
    struct ConformanceOverSSH {
        /// A cross-section: ingress, egress, ipBlock with except, named ports,
        /// selectors and the whole examples (both Wealth Wizards policies, alone
        /// and together). NPX_HOST_CONFORMANCE=all runs every IPv4 case.
        static let chosen = [
            "default-deny-ingress-udp", "allow-only-port-80", "ingress-from-namespace-by-label",
            "default-deny-egress", "egress-only-port-80", "both-ends-must-allow",
            "egress-cidr-except", "ingress-cidr-except-ranges", "egress-everything-but-internal",
            "named-port-ingress", "named-port-egress", "endport-inclusive-edges",
            "peer-podselector-and-namespaceselector",
            "wealth-wizards-both-policies", "wealth-wizards-namespace-isolation-alone",
            "doc-example-test-network-policy", "default-deny-all", "a-pod-cannot-block-itself",
        ]

        static var cases: [ConformanceCase] {
            let ipv4 = ConformanceCase.all.filter { !$0.ipv6 }
            if ProcessInfo.processInfo.environment["NPX_HOST_CONFORMANCE"] == "all" { return ipv4 }
            return chosen.compactMap { name in ipv4.first { $0.name == name } }
        }

        @Test("the chosen cases exist and cover every theme")
        func chosenCasesExist() {
            for name in Self.chosen {
                #expect(ConformanceCase.all.contains { $0.name == name && !$0.ipv6 }, "no IPv4 conformance case \(name)")
            }
            #expect(Self.chosen.count >= 8)
            let themes: [(String, [ConformanceCase])] = [
                ("ingress", ConformanceCase.ingress), ("egress", ConformanceCase.egress),
                ("ipBlock", ConformanceCase.ipBlock), ("ports", ConformanceCase.ports),
                ("selectors", ConformanceCase.selectors), ("examples", ConformanceCase.examples),
            ]
            for (theme, cases) in themes {
                #expect(cases.contains { Self.chosen.contains($0.name) }, "no \(theme) case is chosen")
            }
            for needed in ["egress-cidr-except", "ingress-cidr-except-ranges", "named-port-ingress", "named-port-egress",
                           "wealth-wizards-both-policies", "wealth-wizards-namespace-isolation-alone"] {
                #expect(Self.chosen.contains(needed))
            }
        }

        @Test("applied over SSH, real traffic between the hosts gets the verdicts the spec demands; a second diff finds every host in sync")
        func conformance() async throws {
            let cases = Self.cases
            let needs = try ConformanceLabLayout(cases)
            try await Lab.withHosts(count: needs.memberAddresses.count + 1) { real in
                let layout = try needs.bind(to: real)
                let listeners = try Listeners(in: real.hosts.map(\.netns), ports: [80, 81], logDirectory: real.directory)
                defer { listeners.stop() }
                var probed = 0
                for c in cases {
                    probed += try await run(c, layout)
                }
                #expect(probed >= 100, "only \(probed) probes ran")
            }
        }

        /// Applies one case to every lab host, probes, diffs. Returns how many probes ran.
        private func run(_ c: ConformanceCase, _ layout: BoundLayout) async throws -> Int {
            let lab = layout.lab
            let u = c.universe
            var hosts: [LegacyHost] = []
            for m in u.members {
                let v4 = m.addresses.filter { $0.family == .inet }
                var ssh = SSHSettings()
                ssh.address = layout.host(for: v4[0]).address
                hosts.append(LegacyHost(name: m.hostName, namespace: m.namespace, labels: m.labels, addresses: v4,
                                        ports: m.ports, ssh: ssh, management: [lab.managementCIDR]))
            }
            let inventory = Inventory(
                namespaces: u.namespaces.map { Namespace(name: $0.name, labels: $0.labels, virtual: true) },
                hosts: hosts, source: "conformance \(c.name)")
            let (world, problems) = World.build(cluster: ClusterState(policies: c.policies), inventory: inventory)
            #expect(problems.isEmpty, "\(c.name): the universe is faulty: \(problems)")
            let compiler = Compiler(world: world)
            var agents = hosts.map { h in
                HostAgent(endpoint: lab.endpoint(layout.host(for: h.addresses[0]), name: h.name),
                          desired: compiler.compile(h), options: .lab)
            }
            // Lab hosts this universe leaves out must hold nothing: they get a
            // state compiled from a world where no policy exists.
            let used = Set(hosts.map { $0.addresses[0] })
            for (address, host) in layout.byAddress where !used.contains(address) {
                let idle = lab.legacyHost(host)
                let empty = World.build(cluster: ClusterState(), inventory: Inventory(
                    namespaces: [Namespace(name: labNamespace, virtual: true)], hosts: [idle])).0
                agents.append(HostAgent(endpoint: lab.endpoint(host), desired: Compiler(world: empty).compile(idle), options: .lab))
            }

            let applied = await Fleet.run(agents, mode: .apply, concurrency: 4)
            for r in applied where r.status != .applied && r.status != .inSync {
                Issue.record("\(c.name): apply on \(r.host) ended \(r.status.rawValue): \(r.message)")
            }

            // The second diff (reads only) runs while the probes fly.
            async let diffs = Fleet.run(agents, mode: .diff, concurrency: 4)

            // Probes, grouped by the host that sends them, all hosts at once.
            var bySender: [String: [(Probe, Traffic.WireProbe)]] = [:]
            for p in c.probes where p.proto != .sctp {
                guard let src = u.address(of: p.from), let dst = u.address(of: p.to) else { continue }
                let sender = u.member(p.from) != nil ? layout.host(for: src).netns : layout.outsider.netns
                let wire = Traffic.WireProbe(src: src.description, dst: dst.description, port: p.port,
                                             proto: p.proto == .udp ? "udp" : "tcp")
                bySender[sender, default: []].append((p, wire))
            }
            let verdicts = try await withThrowingTaskGroup(of: [(Probe, String)].self) { group in
                for (netns, probes) in bySender {
                    group.addTask {
                        let v = try await offPool { try Traffic.probe(from: netns, probes.map(\.1)) }
                        return Array(zip(probes.map(\.0), v))
                    }
                }
                var all: [(Probe, String)] = []
                for try await part in group { all += part }
                return all
            }
            for (p, verdict) in verdicts where verdict != (p.expect ? "allowed" : "denied") {
                Issue.record("\(c.name): \(p) but the traffic was \(verdict)\n  spec: \(c.specSentence)")
            }

            let diffed = await diffs
            #expect(diffed.count == agents.count)
            for r in diffed where r.status != .inSync {
                Issue.record("\(c.name): after the apply, diff on \(r.host) says \(r.status.rawValue): \(r.message)\n\(r.diff)")
            }
            return verdicts.count
        }
    }
}

/// Which addresses the chosen cases need: one lab host per workload address
/// (a workload keeps its host across cases) and one more that carries every
/// outsider address the probes use.
struct ConformanceLabLayout {
    var memberAddresses: [IPAddress]
    var outsiderAddresses: [IPAddress]

    init(_ cases: [ConformanceCase]) throws {
        var members: Set<IPAddress> = []
        var outsiders: Set<IPAddress> = []
        for c in cases {
            members.formUnion(c.universe.members.compactMap { $0.addresses.first { $0.family == .inet } })
            for p in c.probes {
                for end in [p.from, p.to] where c.universe.member(end) == nil {
                    if let a = IPAddress(end), a.family == .inet { outsiders.insert(a) }
                }
            }
        }
        let clash = members.intersection(outsiders)
        guard clash.isEmpty else { throw LabError("addresses are workloads in one case and outsiders in another: \(clash)") }
        memberAddresses = members.sorted()
        outsiderAddresses = outsiders.sorted()
    }

    /// Puts the addresses on the lab's hosts: each workload address on a host
    /// of its own, every outsider address on the last host. All carry a /15,
    /// so every address of 198.18.0.0/15 is on-link and no host needs a route;
    /// the lab's own /24 stays the more specific route for SSH.
    func bind(to lab: Lab) throws -> BoundLayout {
        precondition(lab.hosts.count == memberAddresses.count + 1)
        let taken = Set(lab.hosts.map(\.address) + [lab.managementAddress, lab.unusedAddress])
        for a in memberAddresses + outsiderAddresses where taken.contains(a.description) {
            throw LabError("lab \(lab.subnet) happens to use \(a), an address the conformance data needs; run again")
        }
        var byAddress: [IPAddress: LabHost] = [:]
        for (a, host) in zip(memberAddresses, lab.hosts) {
            try lab.shell(host, "ip addr add \(a)/15 dev eth0")
            byAddress[a] = host
        }
        let outsider = lab.hosts[memberAddresses.count]
        try lab.shell(outsider, outsiderAddresses.map { "ip addr add \($0)/15 dev eth0" }.joined(separator: " && "))
        return BoundLayout(lab: lab, byAddress: byAddress, outsider: outsider)
    }
}

struct BoundLayout {
    var lab: Lab
    var byAddress: [IPAddress: LabHost]
    var outsider: LabHost

    func host(for address: IPAddress) -> LabHost { byAddress[address]! }
}
