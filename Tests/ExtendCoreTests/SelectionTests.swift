import ConformanceSupport
import ExtendCore
import Testing

/// Which workloads a policy isolates, which its peers select, which ports its
/// port entries admit.
@Suite("Selection")
struct SelectionTests {
    typealias Variant = ConformanceUniverse.Variant

    static func selection(_ policies: [NetworkPolicy] = [], _ variant: Variant = .hosts,
                          universe: ConformanceUniverse = .standard()) -> Selection {
        Selection(world: universe.world(variant, policies: policies).0)
    }

    static func workload(_ s: Selection, _ logical: String, _ variant: Variant = .hosts) -> Workload {
        s.world.workload(ref: ConformanceUniverse.standard().ref(logical, in: variant))!
    }

    // MARK: isolating()

    /// "A pod is isolated for ingress if there is any NetworkPolicy that both
    /// selects the pod and has \"Ingress\" in its policyTypes" (likewise egress);
    /// only policies of the pod's own namespace select it.
    @Test("isolating() follows podSelector, namespace and policyTypes", arguments: Variant.allCases)
    func isolating(_ variant: Variant) {
        let s = Self.selection([
            NP.policy("x", "p1", select: NP.pod("a"), types: [.ingress]),
            NP.policy("x", "p0", select: NP.pod("a"), types: [.ingress]),
            NP.policy("x", "p2", types: [.egress]),
            NP.policy("y", "p3", select: NP.pod("a"), types: [.ingress, .egress]),
            NP.policy("z", "p4", select: NP.pod("nobody"), types: [.ingress, .egress]),
        ], variant)
        func ids(_ ref: String, _ d: Direction) -> [String] { s.isolating(Self.workload(s, ref, variant), d).map(\.id) }
        #expect(ids("x/a", .ingress) == ["x/p0", "x/p1"])
        #expect(ids("x/a", .egress) == ["x/p2"])
        #expect(ids("x/b", .ingress) == [])
        #expect(ids("x/b", .egress) == ["x/p2"])
        #expect(ids("y/a", .ingress) == ["y/p3"])
        #expect(ids("y/a", .egress) == ["y/p3"])
        #expect(ids("y/b", .ingress) == [])
        #expect(ids("z/a", .ingress) == [])
    }

    @Test("targets(of:) stay in the policy's namespace")
    func targets() {
        let s = Self.selection()
        let names = { (p: NetworkPolicy) in s.targets(of: p).map(\.name) }
        #expect(names(NP.policy("x", "all")) == ["x-a", "x-b", "x-c"])
        #expect(names(NP.policy("y", "b", select: NP.pod("b"))) == ["y-b"])
        #expect(names(NP.policy("nowhere", "all")) == [])
    }

    // MARK: peers

    /// Selector peers select workloads only; ipBlock peers select by address.
    @Test("peer selects", arguments: [
        // podSelector alone: the policy's namespace.
        (NP.pods(NP.pod("a")), "x/a", true),
        (NP.pods(NP.pod("a")), "y/a", false),
        (NP.pods(.everything), "x/c", true),
        (NP.pods(.everything), "198.18.5.5", false),
        // namespaceSelector alone: every workload of the selected namespaces.
        (NP.namespaces(.everything), "z/c", true),
        (NP.namespaces(.everything), "198.18.5.5", false),
        (NP.namespaces(NP.ns("y")), "y/b", true),
        (NP.namespaces(NP.ns("y")), "x/b", false),
        // Both: AND.
        (NP.pods(NP.pod("a"), in: NP.ns("y")), "y/a", true),
        (NP.pods(NP.pod("a"), in: NP.ns("y")), "y/b", false),
        (NP.pods(NP.pod("a"), in: NP.ns("y")), "x/a", false),
        // ipBlock: by address, workloads and outsiders alike.
        (NP.cidr("198.18.0.0/24"), "198.18.0.200", true),
        (NP.cidr("198.18.0.0/24"), "x/a", true),
        (NP.cidr("198.18.0.0/24"), "198.18.5.5", false),
        (NP.cidr("198.18.0.0/24", except: ["198.18.0.8/29"]), "x/a", false),   // .8–.15 holds .11
        (NP.cidr("198.18.0.0/24", except: ["198.18.0.8/29"]), "x/c", false),
        (NP.cidr("198.18.0.0/24", except: ["198.18.0.8/29"]), "y/a", true),
        (NP.cidr("::/0"), "x/a", false),
    ] as [(NetworkPolicy.Peer, String, Bool)])
    func peerSelects(_ peer: NetworkPolicy.Peer, _ logical: String, _ expected: Bool) throws {
        for variant in Variant.allCases {
            let s = Self.selection([], variant)
            let universe = ConformanceUniverse.standard()
            let endpoint = try Explainer(world: s.world).resolve(universe.ref(logical, in: variant))
            let address = try #require(universe.address(of: logical))
            #expect(s.peer(peer, policyNamespace: "x", selects: endpoint, at: address) == expected,
                    "\(peer.summary) / \(logical) [\(variant)]")
        }
    }

    @Test("namespaces(for:) is the policy's own without a selector, sorted otherwise")
    func namespaces() {
        let s = Self.selection()
        #expect(s.namespaces(for: nil, policyNamespace: "y") == ["y"])
        #expect(s.namespaces(for: .everything, policyNamespace: "y") == ["x", "y", "z"])
        #expect(s.namespaces(for: NP.expr("ns", .notIn, ["y"]), policyNamespace: "y") == ["x", "z"])
        #expect(s.workloads(podSelector: nil, namespaceSelector: NP.ns("z"), policyNamespace: "x").map(\.name)
                == ["z-a", "z-b", "z-c"])
        #expect(s.workloads(podSelector: NP.pod("c"), namespaceSelector: nil, policyNamespace: "x").map(\.name) == ["x-c"])
    }

    // MARK: ports

    /// "port: The port on the given protocol. This can either be a numerical or
    /// named port on a pod. If this field is not provided, this matches all port
    /// names and numbers. ... endPort indicates that the range of ports from port
    /// to endPort if set, inclusive, should be allowed by the policy."
    @Test("port entries admit", arguments: [
        (NP.port(80), Proto.tcp, 80, true),
        (NP.port(80), .tcp, 81, false),
        (NP.port(80), .udp, 80, false),
        (NP.every(.udp), .udp, 1, true),
        (NP.every(.udp), .udp, 65535, true),
        (NP.every(.udp), .tcp, 80, false),
        (NP.ports(80, through: 90), .tcp, 79, false),
        (NP.ports(80, through: 90), .tcp, 80, true),
        (NP.ports(80, through: 90), .tcp, 85, true),
        (NP.ports(80, through: 90), .tcp, 90, true),
        (NP.ports(80, through: 90), .tcp, 91, false),
        (NP.ports(80, through: 90), .udp, 85, false),
        (NP.ports(81, through: 81), .tcp, 81, true),
        (NP.ports(81, through: 81), .tcp, 80, false),
        (NP.named("serve-80-tcp"), .tcp, 80, true),
        (NP.named("serve-80-tcp"), .tcp, 81, false),
        (NP.named("serve-80-udp", .tcp), .tcp, 80, false),   // the name is a UDP port: no TCP match
        (NP.named("serve-80-udp", .udp), .udp, 80, true),
        (NP.named("serve-80-udp", .udp), .tcp, 80, false),
        (NP.named("serve-81-sctp", .sctp), .sctp, 81, true),
        (NP.named("nope"), .tcp, 80, false),
    ] as [(NetworkPolicy.PortMatch, Proto, Int, Bool)])
    func portAdmits(_ m: NetworkPolicy.PortMatch, _ proto: Proto, _ port: Int, _ expected: Bool) {
        let s = Self.selection()
        let target = Endpoint.workload(Self.workload(s, "x/a"))
        #expect(s.port(m, admits: proto, port, on: target) == expected, "\(m) vs \(proto.rawValue)/\(port)")
    }

    @Test("a named port never resolves on an outsider; numbers do")
    func namedPortOnOutsider() {
        let s = Self.selection()
        let outsider = Endpoint.external(IPAddress("198.18.5.5")!)
        #expect(!s.port(NP.named("serve-80-tcp"), admits: .tcp, 80, on: outsider))
        #expect(s.port(NP.port(80), admits: .tcp, 80, on: outsider))
        #expect(s.port(NP.every(.tcp), admits: .tcp, 80, on: outsider))
    }

    @Test("a named port resolves per target")
    func namedPortPerTarget() {
        let universe = ConformanceUniverse.standard()
            .addingPort("y/a", NamedPort(name: "web", port: 80, proto: .tcp))
            .addingPort("y/b", NamedPort(name: "web", port: 81, proto: .tcp))
        let s = Self.selection(universe: universe)
        func admits(_ ref: String, _ port: Int) -> Bool {
            s.port(NP.named("web"), admits: .tcp, port, on: .workload(s.world.workload(ref: universe.ref(ref, in: .hosts))!))
        }
        #expect(admits("y/a", 80) && !admits("y/a", 81))
        #expect(admits("y/b", 81) && !admits("y/b", 80))
        #expect(!admits("y/c", 80) && !admits("y/c", 81))
    }

    /// Pods on the node's network, without an address, or finished hold no
    /// address of their own: no selector can pick them.
    @Test("unselectable pods are not in the world", arguments: [
        Pod(namespace: "x", name: "hostnet", labels: ["pod": "a"], ips: [IPAddress("198.18.0.90")!], hostNetwork: true),
        Pod(namespace: "x", name: "no-ip", labels: ["pod": "a"]),
        Pod(namespace: "x", name: "done", labels: ["pod": "a"], ips: [IPAddress("198.18.0.91")!], phase: .succeeded),
        Pod(namespace: "x", name: "failed", labels: ["pod": "a"], ips: [IPAddress("198.18.0.92")!], phase: .failed),
    ])
    func unselectable(_ pod: Pod) {
        var cluster = ConformanceUniverse.standard().cluster(policies: [])
        cluster.pods.append(pod)
        let (world, problems) = World.build(cluster: cluster, inventory: Inventory())
        #expect(problems.isEmpty)
        #expect(world.workload(ref: pod.ref) == nil)
        #expect(!Selection(world: world).targets(of: NP.policy("x", "all")).contains { $0.name == pod.name })
    }
}
