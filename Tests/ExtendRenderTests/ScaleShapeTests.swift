import ExtendCore
import Testing

/// "Rule count per host must not grow with the number of pods — the sets
/// absorb them": the same policies over 10 and 1000 pods give the same rules.
@Suite struct ScaleShapeTests {
    static func world(pods: Int) -> World {
        let ns = [Namespace(name: "apps", labels: ["team": "a"]), Namespace(name: "legacy", virtual: true)]
        let podList = (0..<pods).map { i in
            Pod(namespace: "apps", name: "web-\(i)", labels: ["app": "web"], ips: [.v4(0x0A00_0000 | UInt32(i + 1))],
                containerPorts: [NamedPort(name: "http", port: 8080, proto: .tcp)])
        }
        let policy = NetworkPolicy(namespace: "legacy", name: "db", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                                   policyTypes: [.ingress, .egress],
                                   ingress: [.init(peers: [.workloads(podSelector: nil, namespaceSelector: LabelSelector(matchLabels: ["team": "a"]))],
                                                   ports: [.init(proto: .tcp, port: .number(5432))])],
                                   egress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]), namespaceSelector: .everything)],
                                                  ports: [.init(proto: .tcp, port: .named("http"))])])
        let host = LegacyHost(name: "db", namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("198.18.1.1")!])
        return World.build(cluster: ClusterState(namespaces: [ns[0]], pods: podList, policies: [policy]),
                           inventory: Inventory(namespaces: [ns[1]], hosts: [host])).0
    }

    @Test("rules stay flat while set entries follow the pods")
    func flat() {
        let small = Compiler(world: Self.world(pods: 10)).compile(Self.world(pods: 10).hosts[0])
        let big = Compiler(world: Self.world(pods: 1000)).compile(Self.world(pods: 1000).hosts[0])
        func rules(_ s: HostDesiredState) -> Int { s.tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
        #expect(rules(small) == rules(big))
        // Two atoms: every pod of apps (ingress), and its app=web pods that
        // resolve "http" (egress), each in a list for its namespace selector.
        #expect(small.sets.reduce(0) { $0 + $1.members.count } == 20)
        #expect(big.sets.reduce(0) { $0 + $1.members.count } == 2000)
        #expect(big.sets.filter { $0.kind == .hashNet }.count == 2)
        #expect(big.sets.filter { $0.kind == .listSet }.map(\.children.count) == [1, 1])
    }
}
