@testable import ExtendCore
import Testing

/// The compiler's own indexes (namespaces by label, workloads by named port,
/// policies by pod selector) must pick exactly what testing every candidate
/// picks: they decide which peers and which isolating policies a host gets.
@Suite struct CompileIndexTests {
    typealias Rng = IndexedSelectionTests.Rng

    static func world(_ r: inout Rng, policies: Int = 0) -> World {
        let nss = (0..<12).map { Namespace(name: "ns\($0)", labels: IndexedSelectionTests.labels(&r)) }
        let ports = [NamedPort(name: "http", port: 80, proto: .tcp), NamedPort(name: "http", port: 8080, proto: .tcp),
                     NamedPort(name: "metrics", port: 9090, proto: .tcp), NamedPort(name: "dns", port: 53, proto: .udp)]
        let pods = (0..<200).map { i in
            Pod(namespace: "ns\(r.int(12))", name: "p\(i)", labels: IndexedSelectionTests.labels(&r),
                ips: [.v4(0x0A00_0000 | UInt32(i + 1))], containerPorts: r.int(3) == 0 ? [] : [ports[r.int(ports.count)]])
        }
        let hosts = (0..<30).map { i in
            LegacyHost(name: "h\(i)", namespace: "ns\(r.int(12))", labels: IndexedSelectionTests.labels(&r),
                       addresses: [.v4(0xC612_0000 | UInt32(i + 1))])
        }
        let types: [Set<Direction>?] = [nil, [.ingress], [.egress], [.ingress, .egress]]
        let pols = (0..<policies).map { i in
            // Few distinct pod selectors, as in a real namespace: many policies share each.
            var s = Rng(state: UInt64(r.int(6)))
            return NetworkPolicy(namespace: "ns\(r.int(12))", name: "np\(i)", podSelector: IndexedSelectionTests.selector(&s),
                                 policyTypes: types[r.int(types.count)])
        }
        return World.build(cluster: ClusterState(namespaces: nss, pods: pods, policies: pols), inventory: Inventory(hosts: hosts)).0
    }

    @Test("namespace selectors answered from label postings equal testing every namespace", arguments: 0..<20)
    func namespaceSelections(_ seed: Int) {
        var r = Rng(state: UInt64(seed))
        let world = Self.world(&r)
        var memo = NamespaceSelections()
        for _ in 0..<60 {
            let sel = IndexedSelectionTests.selector(&r)
            let expected = world.namespaceNames.filter { sel.matches(world.namespaces[$0]?.labels ?? [:]) }
            #expect(memo.namespaces(for: sel, policyNamespace: "ns0", in: Selection(world: world)) == expected, "\(sel.canonical)")
        }
        #expect(memo.namespaces(for: nil, policyNamespace: "ns3", in: Selection(world: world)) == ["ns3"])
    }

    @Test("workloads with a named port that a selector picks equal testing every workload", arguments: 0..<20)
    func namedPortSelection(_ seed: Int) {
        var r = Rng(state: UInt64(seed))
        let world = Self.world(&r)
        let s = Selection(world: world)
        for _ in 0..<60 {
            let sel = r.int(4) == 0 ? LabelSelector.everything : IndexedSelectionTests.selector(&r)
            let ns = "ns\(r.int(12))"
            let (name, proto): (String, Proto) = [("http", .tcp), ("metrics", .tcp), ("dns", .udp), ("dns", .tcp)][r.int(4)]
            let ws = world.workloads(in: ns)
            let expected = ws.indices.filter { sel.matches(ws[$0].labels) && ws[$0].resolve(portName: name, proto: proto) != nil }
            #expect(s.indices(sel, in: ns, namedPort: name, proto: proto) == expected, "\(sel.canonical) \(name)/\(proto) in \(ns)")
        }
    }

    @Test("a host's isolating policies, found by pod selector group, are those that select it", arguments: 0..<20)
    func isolatingPolicies(_ seed: Int) {
        var r = Rng(state: UInt64(seed))
        let world = Self.world(&r, policies: 150)
        let compiler = Compiler(world: world)
        let s = Selection(world: world)
        for h in world.hosts {
            #expect(compiler.isolatingIndices(h.workload) == Direction.allCases.map { s.isolatingIndices(h.workload, $0) }, "\(h.name)")
        }
    }
}
