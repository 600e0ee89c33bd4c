import ConformanceSupport
import ExtendCore
import Testing

/// The companions' promise, checked by the pure evaluator on every
/// conformance case: where the cluster's CNI sees legacy hosts only as
/// addresses outside the cluster, the original policies plus their
/// companions give every pod exactly the verdicts the original policies give
/// it with the hosts as selectable workloads — nothing more, nothing less.
@Suite("Companion semantics")
struct CompanionSemanticsTests {
    @Test("pods judge hosts alike whether the hosts are selectable workloads or addresses beside the companions",
          arguments: ConformanceCase.all, HostSplit.allCases)
    func podSideVerdictsAgree(_ c: ConformanceCase, _ split: HostSplit) throws {
        try check(c, split, universe: c.universe)
        // Every workload dual-stack too: each IPv6 address is admitted as well (a /128 beside the /32).
        try check(c, split, universe: Self.dualStack(c.universe))
    }

    private func check(_ c: ConformanceCase, _ split: HostSplit, universe: ConformanceUniverse) throws {
        let mixed = split.apply(to: universe, policies: c.policies)
        let intended = try mixed.intended()
        let companions = CompanionBuilder(world: intended).companions()
        let cni = try mixed.cniView(companions: companions)
        let asIntended = Evaluator(world: intended), asEnforced = Evaluator(world: cni)
        let ports = Self.portsInPlay(c)
        var differences: [String] = []
        for pod in mixed.pods {
            guard let podInIntended = intended.workload(ref: pod.ref), let podInCNI = cni.workload(ref: pod.ref) else {
                Issue.record("pod \(pod.ref) is not selectable")
                continue
            }
            for host in mixed.hosts {
                guard let hostWorkload = intended.workload(ref: host.ref) else { continue }
                for family in AddressFamily.allCases {
                    guard let pa = pod.addresses.first(where: { $0.family == family }),
                          let ha = host.addresses.first(where: { $0.family == family }) else { continue }
                    for proto in Proto.allCases {
                        for port in ports {
                            // pod → host: the pod's egress decides its side; host → pod: its ingress.
                            let out = (Connection(source: .workload(podInIntended), sourceAddress: pa, destination: .workload(hostWorkload),
                                                  destinationAddress: ha, proto: proto, port: port),
                                       Connection(source: .workload(podInCNI), sourceAddress: pa, destination: .external(ha),
                                                  destinationAddress: ha, proto: proto, port: port))
                            let inn = (Connection(source: .workload(hostWorkload), sourceAddress: ha, destination: .workload(podInIntended),
                                                  destinationAddress: pa, proto: proto, port: port),
                                       Connection(source: .external(ha), sourceAddress: ha, destination: .workload(podInCNI),
                                                  destinationAddress: pa, proto: proto, port: port))
                            let wantOut = asIntended.evaluate(out.0).egress.allowed, gotOut = asEnforced.evaluate(out.1).egress.allowed
                            let wantIn = asIntended.evaluate(inn.0).ingress.allowed, gotIn = asEnforced.evaluate(inn.1).ingress.allowed
                            if wantOut != gotOut { differences.append("\(pod.ref) -> \(host.ref) [\(ha)] \(proto.rawValue)/\(port): intended \(wantOut), enforced \(gotOut)") }
                            if wantIn != gotIn { differences.append("\(host.ref) [\(ha)] -> \(pod.ref) \(proto.rawValue)/\(port): intended \(wantIn), enforced \(gotIn)") }
                        }
                    }
                }
            }
        }
        #expect(differences.isEmpty, "\(c.name) [\(split)]: \(differences.count) differences, e.g.\n\(differences.prefix(8).joined(separator: "\n"))\ncompanions:\n\(Companion.yaml(companions))")
        // Pods among themselves and towards outside addresses: the companions add nothing there either.
        let withoutCompanions = Evaluator(world: try mixed.cniView(companions: []))
        for a in mixed.pods {
            for b in mixed.pods + Self.outsiders(c) where a.ref != b.ref {
                guard let wa = cni.workload(ref: a.ref) else { continue }
                let target: Endpoint = cni.workload(ref: b.ref).map { .workload($0) } ?? .external(b.addresses[0])
                for (sa, da) in zip(a.addresses, b.addresses) where sa.family == da.family {
                    for port in ports {
                        let conn = Connection(source: .workload(wa), sourceAddress: sa, destination: target, destinationAddress: da,
                                              proto: .tcp, port: port)
                        #expect(asEnforced.evaluate(conn).allowed == withoutCompanions.evaluate(conn).allowed,
                                "\(c.name) [\(split)]: \(a.ref) -> \(b.ref) TCP/\(port)")
                    }
                }
            }
        }
    }

    /// Every case whose policies pick a host by selector from a cluster
    /// namespace gets a companion: the check above is not vacuous.
    @Test("a case whose cluster policies select hosts by selector has companions", arguments: HostSplit.allCases)
    func casesWithHostPeersHaveCompanions(_ split: HostSplit) throws {
        var withCompanions = 0
        for c in ConformanceCase.all {
            let world = try split.apply(to: c.universe, policies: c.policies).intended()
            let selection = Selection(world: world)
            let selectsHost = world.policies.contains { p in
                world.namespaces[p.namespace]?.virtual == false && (p.ingress + p.egress).contains { rule in
                    rule.peers.contains { peer in
                        guard case .workloads(let pods, let nss) = peer else { return false }
                        return selection.workloads(podSelector: pods, namespaceSelector: nss, policyNamespace: p.namespace)
                            .contains { $0.kind == .host }
                    }
                }
            }
            let companions = CompanionBuilder(world: world).companions()
            if selectsHost { #expect(!companions.isEmpty, "\(c.name) [\(split)]") }
            withCompanions += companions.isEmpty ? 0 : 1
        }
        #expect(withCompanions >= 10, "only \(withCompanions) cases exercise companions [\(split)]")
    }

    /// Gives each workload that has none an IPv6 address in 2001:db8::/96,
    /// made of its IPv4 address's last two octets (unique in the universe).
    static func dualStack(_ u: ConformanceUniverse) -> ConformanceUniverse {
        var u = u
        for i in u.members.indices where !u.members[i].addresses.contains(where: { $0.family == .inet6 }) {
            guard case .v4(let v)? = u.members[i].addresses.first else { continue }
            u.members[i].addresses.append(.v6(hi: 0x2001_0db8_0000_0000, lo: UInt64((v >> 8) & 0xff) << 16 | UInt64(v & 0xff)))
        }
        return u
    }

    /// Ports probes use, and around every number the policies name (endPort and one past it).
    static func portsInPlay(_ c: ConformanceCase) -> [Int] {
        var ports: Set<Int> = Set(c.probes.map(\.port))
        for m in c.universe.members { ports.formUnion(m.ports.map(\.port)) }
        for p in c.policies {
            for m in (p.ingress + p.egress).flatMap(\.ports) {
                if case .number(let n) = m.port { ports.formUnion([n - 1, n, n + 1]) }
                if let e = m.endPort { ports.formUnion([e, e + 1]) }
            }
        }
        return ports.filter { $0 > 0 }.sorted()
    }

    /// Bare addresses the case's probes use (outside every workload).
    static func outsiders(_ c: ConformanceCase) -> [HostSplit.Member] {
        Set(c.probes.flatMap { [$0.from, $0.to] }).sorted().compactMap { text in
            IPAddress(text).map { HostSplit.Member(ref: text, addresses: [$0]) }
        }
    }
}

/// Which members of a conformance universe are legacy hosts; the rest are pods.
enum HostSplit: String, CaseIterable, CustomTestStringConvertible {
    /// Each namespace's `b` is a host in that (cluster) namespace.
    case bIsHost
    /// Namespace `z` exists only in the inventory: its members are hosts.
    case zIsLegacy
    /// Only the `a`s are pods; every other member is a host in a cluster namespace.
    case onlyAIsPod

    var testDescription: String { rawValue }

    struct Member {
        var ref: String
        var addresses: [IPAddress]
    }

    func isHost(_ m: ConformanceUniverse.Member) -> Bool {
        switch self {
        case .bIsHost: m.name == "b"
        case .zIsLegacy: m.namespace == "z"
        case .onlyAIsPod: m.name != "a"
        }
    }

    func isLegacyNamespace(_ name: String) -> Bool { self == .zIsLegacy && name == "z" }

    func apply(to u: ConformanceUniverse, policies: [NetworkPolicy]) -> Mixed {
        Mixed(universe: u, split: self, policies: policies)
    }

    struct Mixed {
        var universe: ConformanceUniverse
        var split: HostSplit
        var policies: [NetworkPolicy]

        var pods: [Member] {
            universe.members.filter { !split.isHost($0) }.map { Member(ref: $0.logicalRef, addresses: $0.addresses) }
        }
        var hosts: [Member] {
            universe.members.filter(split.isHost).map { Member(ref: "\($0.namespace)/\($0.hostName)", addresses: $0.addresses) }
        }

        private var clusterNamespaces: [Namespace] {
            universe.namespaces.filter { !split.isLegacyNamespace($0.name) }.map { Namespace(name: $0.name, labels: $0.labels) }
        }
        private var podObjects: [Pod] {
            universe.members.filter { !split.isHost($0) }.map {
                Pod(namespace: $0.namespace, name: $0.name, labels: $0.labels, ips: $0.addresses, containerPorts: $0.ports)
            }
        }

        /// Hosts as selectable workloads: what the policies mean.
        func intended() throws -> World {
            let inventory = Inventory(
                namespaces: universe.namespaces.filter { split.isLegacyNamespace($0.name) }
                    .map { Namespace(name: $0.name, labels: $0.labels, virtual: true) },
                hosts: universe.members.filter(split.isHost).map {
                    LegacyHost(name: $0.hostName, namespace: $0.namespace, labels: $0.labels, addresses: $0.addresses, ports: $0.ports)
                })
            let (world, problems) = World.build(cluster: ClusterState(namespaces: clusterNamespaces, pods: podObjects, policies: policies),
                                                inventory: inventory)
            try #require(problems.isEmpty, "\(problems)")
            return world
        }

        /// What the cluster's CNI sees: pods, the policies of the cluster's
        /// namespaces and the companions — every one a NetworkPolicy it
        /// enforces, our labels or not — and no host at all.
        func cniView(companions: [Companion]) throws -> World {
            let own = policies.filter { !split.isLegacyNamespace($0.namespace) }
            let enforced = companions.map { c -> NetworkPolicy in
                var p = c.policy
                p.labels = [:]
                return p
            }
            let (world, problems) = World.build(cluster: ClusterState(namespaces: clusterNamespaces, pods: podObjects,
                                                                      policies: own + enforced), inventory: Inventory())
            try #require(problems.isEmpty, "\(problems)")
            return world
        }
    }
}
