import ExtendCore
import Testing

/// `extend matrix` judges classes of endpoints on port atoms; it must say
/// exactly what `explain` says for every pair of endpoints and every port.
@Suite("Connectivity matrix")
struct ConnectivityMatrixTests {
    typealias Rng = IndexedSelectionTests.Rng

    static let namespaces = ["a", "b", "c"]
    static let apps = ["web", "api", "db"]

    static func labels(_ r: inout Rng) -> Labels {
        var l: Labels = ["app": apps[r.int(apps.count)]]
        if r.int(2) == 0 { l["tier"] = ["front", "back"][r.int(2)] }
        return l
    }

    static func namedPorts(_ r: inout Rng) -> [NamedPort] {
        var out: [NamedPort] = []
        if r.int(3) > 0 { out.append(NamedPort(name: "http", port: [8080, 8081, 443][r.int(3)], proto: .tcp)) }
        if r.int(3) == 0 { out.append(NamedPort(name: "dns", port: 53, proto: .udp)) }
        if r.int(4) == 0 { out.append(NamedPort(name: "http", port: 9000, proto: .sctp)) }
        return out
    }

    static func selector(_ r: inout Rng) -> LabelSelector {
        switch r.int(5) {
        case 0: return .everything
        case 1, 2: return LabelSelector(matchLabels: ["app": apps[r.int(apps.count)]])
        case 3: return LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["front"])])
        default: return LabelSelector(matchExpressions: [.init(key: "app", op: .notIn, values: ["db"])])
        }
    }

    static func peer(_ r: inout Rng) -> NetworkPolicy.Peer {
        switch r.int(7) {
        case 0, 1: return .workloads(podSelector: selector(&r), namespaceSelector: nil)
        case 2: return .workloads(podSelector: nil, namespaceSelector: LabelSelector(matchLabels: ["env": "live"]))
        case 3: return .workloads(podSelector: selector(&r), namespaceSelector: .everything)
        case 4: return .ipBlock(.init(cidr: CIDR("10.0.0.0/24")!, except: [CIDR("10.0.0.0/29")!]))
        case 5: return .ipBlock(.init(cidr: CIDR("198.18.0.0/16")!))
        default: return .ipBlock(.init(cidr: CIDR("fd00::/120")!, except: [CIDR("fd00::/126")!]))
        }
    }

    static func ports(_ r: inout Rng) -> [NetworkPolicy.PortMatch] {
        (0..<r.int(3)).map { _ in
            switch r.int(7) {
            case 0: return .init(proto: .tcp, port: .number(5432))
            case 1: return .init(proto: .tcp, port: .named("http"))
            case 2: return .init(proto: .udp, port: .number(7000), endPort: 7010)
            case 3: return .init(proto: .udp, port: .named("dns"))
            case 4: return .init(proto: .sctp, port: .named("http"))
            case 5: return .init(proto: .tcp, port: .number(8000), endPort: 8443)
            default: return .init(proto: .udp)
            }
        }
    }

    static func rules(_ r: inout Rng) -> [NetworkPolicy.Rule] {
        (0..<r.int(3)).map { _ in
            .init(peers: r.int(6) == 0 ? [] : (0..<(1 + r.int(2))).map { _ in peer(&r) }, ports: ports(&r))
        }
    }

    /// A world of pods (some dual-stack, some in the ipBlocks' except cells)
    /// and hosts (some with management ranges holding pods), and policies.
    static func world(seed: UInt64) -> World {
        var r = Rng(state: seed)
        var cluster = ClusterState(namespaces: namespaces.map {
            Namespace(name: $0, labels: ["env": ["live", "dev"][r.int(2)]])
        })
        for i in 0..<(6 + r.int(10)) {
            var ips: [IPAddress] = r.int(5) == 0 ? [] : [.v4(0x0A00_0000 | UInt32(1 + r.int(20) * 4 + i % 4))]
            if r.int(3) == 0 { ips.append(IPAddress("fd00::\(String(1 + i, radix: 16))")!) }
            if ips.isEmpty { ips = [IPAddress("fd00::\(String(0x100 + i, radix: 16))")!] }
            cluster.pods.append(Pod(namespace: namespaces[r.int(namespaces.count)], name: "p\(i)", labels: labels(&r),
                                    ips: ips, containerPorts: namedPorts(&r)))
        }
        var seen = Set<IPAddress>()
        cluster.pods.removeAll { p in p.ips.contains { !seen.insert($0).inserted } }
        var hosts: [LegacyHost] = []
        for i in 0..<(2 + r.int(4)) {
            var ssh = SSHSettings()
            ssh.port = [22, 2222][r.int(2)]
            let management = r.int(2) == 0 ? [CIDR("10.0.0.0/28")!] : []
            hosts.append(LegacyHost(name: "h\(i)", namespace: r.int(2) == 0 ? "legacy" : namespaces[r.int(namespaces.count)],
                                    labels: labels(&r), addresses: [.v4(0xC612_0000 | UInt32(10 + i))], ports: namedPorts(&r),
                                    ssh: ssh, management: management))
        }
        for i in 0..<(2 + r.int(5)) {
            let ns = r.int(3) == 0 ? "legacy" : namespaces[r.int(namespaces.count)]
            let types: Set<Direction> = [[.ingress], [.egress], [.ingress, .egress]][r.int(3)]
            cluster.policies.append(NetworkPolicy(namespace: ns, name: "np\(i)", podSelector: selector(&r), policyTypes: types,
                                                  ingress: rules(&r), egress: rules(&r)))
        }
        let inventory = Inventory(namespaces: [Namespace(name: "legacy", labels: ["env": "live"], virtual: true)], hosts: hosts)
        let (world, problems) = World.build(cluster: cluster, inventory: inventory)
        precondition(problems.isEmpty, "\(problems)")
        return world
    }

    /// The inputs a world was built from, edited by `edit`, built again.
    static func rebuilt(_ world: World, _ edit: (inout ClusterState, inout [LegacyHost]) -> Void) -> World {
        var cluster = ClusterState(namespaces: world.namespaceNames.compactMap { world.namespaces[$0] }.filter { !$0.virtual },
                                   policies: world.policies)
        for w in world.allWorkloads where w.kind == .pod {
            cluster.pods.append(Pod(namespace: w.namespace, name: w.name, labels: w.labels, ips: w.addresses, containerPorts: w.namedPorts))
        }
        var hosts = world.hosts
        edit(&cluster, &hosts)
        let inventory = Inventory(namespaces: world.namespaceNames.compactMap { world.namespaces[$0] }.filter(\.virtual), hosts: hosts)
        let (w, problems) = World.build(cluster: cluster, inventory: inventory)
        precondition(problems.isEmpty, "\(problems)")
        return w
    }

    @Test("classes × port atoms say what explain says, for every ordered pair of distinct endpoints and every atom's first, last and a middle port", arguments: 0..<40)
    func equalsExplain(seed: UInt64) throws {
        let world = Self.world(seed: seed)
        let matrix = ConnectivityMatrix(world: world)
        let explainer = Explainer(world: world)
        let endpoints = world.allWorkloads
        var checked = 0
        for a in endpoints {
            for b in endpoints where a.ref != b.ref {
                for atom in matrix.ports.atoms {
                    let r = atom.range
                    for port in Set([r.lowerBound, r.upperBound, (r.lowerBound + r.upperBound) / 2]) {
                        let verdict: Bool
                        do {
                            verdict = try explainer.explain(from: a.ref, to: b.ref, port: port, proto: atom.proto).verdict == "allow"
                        } catch {
                            verdict = false  // no shared family: no connection
                        }
                        #expect(matrix.allows(from: a, to: b, atom.proto, port) == verdict,
                                "seed \(seed): \(a.ref) -> \(b.ref) \(atom.proto.rawValue)/\(port)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 0)
    }

    @Test("atoms cut the ports exactly where policies, resolved named ports and SSH guards draw a line")
    func atoms() {
        let atoms = PortAtoms(cuts: [.tcp: [22, 23, 5432, 5433, 8000, 8444], .udp: [53, 54]])
        #expect(atoms.atoms.filter { $0.proto == .tcp }.map(\.range) == [1...21, 22...22, 23...5431, 5432...5432, 5433...7999, 8000...8443, 8444...65535])
        #expect(atoms.atoms.filter { $0.proto == .sctp }.map(\.range) == [1...65535])
        #expect(atoms.atoms[atoms.index(.tcp, 8080)].range == 8000...8443)
        #expect(atoms.atoms[atoms.index(.udp, 65535)].range == 54...65535)
        #expect(atoms.covering(.tcp, 22, 5432).count == 3)
    }

    @Test("endpoints that every policy treats alike share a class; a different label that a selector reads splits them")
    func classes() {
        let ns = Namespace(name: "a", labels: ["env": "live"])
        let pods = (0..<4).map { Pod(namespace: "a", name: "web-\($0)", labels: ["app": "web", "pod-template-hash": "x\($0 % 2)"],
                                     ips: [.v4(0x0A00_0100 + UInt32($0))]) }
            + [Pod(namespace: "a", name: "api-0", labels: ["app": "api"], ips: [.v4(0x0A00_0200)])]
        let policy = NetworkPolicy(namespace: "a", name: "db", podSelector: LabelSelector(matchLabels: ["app": "api"]),
                                   ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]), namespaceSelector: nil)])])
        let world = World.build(cluster: ClusterState(namespaces: [ns], pods: pods, policies: [policy]), inventory: Inventory()).0
        let classes = EndpointClasses(world: world).classes
        #expect(classes.map { $0.members.map(\.name) } == [["api-0"], ["web-0", "web-1", "web-2", "web-3"]])
        #expect(classes[1].commonLabels == ["app": "web"])
    }
}
