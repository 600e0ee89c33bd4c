import ExtendCore
import Testing

/// Members live once per atom (namespace × pod selector); peers that span
/// namespaces are lists of atoms. A host's set entries follow the addresses
/// and atoms it references, not the number of policies that reference them.
@Suite struct ComposedSetsTests {
    /// `namespaces` cluster namespaces of `podsPer` pods each, half of them env=live;
    /// `policies` policies in the inventory namespace select one host, each
    /// admitting env=live (some with a pod selector too, some from one team).
    static func world(namespaces: Int, podsPer: Int, policies: Int) -> World {
        var nss: [Namespace] = []
        var pods: [Pod] = []
        for n in 0..<namespaces {
            nss.append(Namespace(name: "ns-\(n)", labels: ["env": n % 2 == 0 ? "live" : "dev", "team": "t\(n % 5)"]))
            for p in 0..<podsPer {
                pods.append(Pod(namespace: "ns-\(n)", name: "p-\(p)", labels: ["app": "a\(p % 3)"],
                                ips: [.v4(0x0A00_0000 | UInt32(n << 8 | (p + 1)))]))
            }
        }
        let live = LabelSelector(matchLabels: ["env": "live"])
        var pols: [NetworkPolicy] = []
        for i in 0..<policies {
            let peer: NetworkPolicy.Peer = switch i % 3 {
            case 0: .workloads(podSelector: nil, namespaceSelector: live)
            case 1: .workloads(podSelector: LabelSelector(matchLabels: ["app": "a1"]), namespaceSelector: live)
            default: .workloads(podSelector: nil, namespaceSelector: LabelSelector(matchLabels: ["team": "t\(i % 5)"]))
            }
            pols.append(NetworkPolicy(namespace: "legacy", name: "p\(i)", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                                      ingress: [.init(peers: [peer], ports: [.init(proto: .tcp, port: .number(5000 + i))])]))
        }
        let host = LegacyHost(name: "db", namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("198.18.1.1")!])
        return World.build(cluster: ClusterState(namespaces: nss, pods: pods, policies: pols),
                           inventory: Inventory(namespaces: [Namespace(name: "legacy", virtual: true)], hosts: [host])).0
    }

    static func entries(_ s: HostDesiredState) -> Int { s.sets.reduce(0) { $0 + $1.entryCount } }

    @Test("entries follow distinct atoms, not the policies that reference them")
    func entriesFollowAtoms() {
        let few = Self.world(namespaces: 10, podsPer: 30, policies: 15)
        let many = Self.world(namespaces: 10, podsPer: 30, policies: 150)
        let a = Compiler(world: few).compile(few.hosts[0])
        let b = Compiler(world: many).compile(many.hosts[0])
        // Atoms: every pod of each of the 10 namespaces (300 addresses) and the
        // app=a1 pods of the 5 live ones (50): the same for 15 or 150 policies.
        #expect(a.sets.filter { $0.kind == .hashNet }.reduce(0) { $0 + $1.members.count } == 350)
        #expect(b.sets.filter { $0.kind == .hashNet }.reduce(0) { $0 + $1.members.count } == 350)
        // Lists: one per distinct peer (env=live, env=live × app=a1, five teams), holding their atoms.
        #expect(b.sets.filter { $0.kind == .listSet }.count == 7)
        #expect(Self.entries(b) == 350 + 5 + 5 + 5 * 2)
        #expect(Self.entries(a) == Self.entries(b))
    }

    @Test("lists name their atoms, atoms precede lists in the payload, names stay when members change")
    func listsAndNames() {
        let w1 = Self.world(namespaces: 4, podsPer: 3, policies: 1)
        let w2 = Self.world(namespaces: 4, podsPer: 5, policies: 1)
        let s1 = Compiler(world: w1).compile(w1.hosts[0])
        let s2 = Compiler(world: w2).compile(w2.hosts[0])
        let list = s1.sets.first { $0.kind == .listSet }
        #expect(list?.children.count == 2, "env=live picks ns-0 and ns-2")
        #expect(list?.children.allSatisfy { c in s1.sets.contains { $0.name == c && $0.kind == .hashNet } } == true)
        // Member changes keep every name: only entries differ.
        #expect(s1.sets.map(\.name) == s2.sets.map(\.name))
        #expect(s1.tables.map(\.chains) == s2.tables.map(\.chains))
        #expect(s1.sets.map(\.members) != s2.sets.map(\.members))
        let payload = Payloads.ipsetRestore(s1.sets)
        for child in list?.children ?? [] {
            let created = payload.range(of: "create \(child) ")
            let added = payload.range(of: "add \(list?.name ?? "")-n \(child)\n")
            #expect(created != nil && added != nil && created!.lowerBound < added!.lowerBound)
        }
        #expect(payload.contains("list:set size \(Payloads.listSetSize)"), "list:set sizes are explicit (the kernel default is 8)")
    }

    @Test("a peer in the policy's own namespace matches its atom directly")
    func ownNamespaceAtom() {
        let ns = Namespace(name: "legacy", virtual: true)
        let host = LegacyHost(name: "db", namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("198.18.1.1")!])
        let client = LegacyHost(name: "c", namespace: "legacy", labels: ["app": "c"], addresses: [IPAddress("198.18.1.2")!])
        let p = NetworkPolicy(namespace: "legacy", name: "p", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                              ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "c"]), namespaceSelector: nil)])])
        let world = World.build(cluster: ClusterState(policies: [p]), inventory: Inventory(namespaces: [ns], hosts: [client, host])).0
        let s = Compiler(world: world).compile(world.host(of: world.workload(ref: "legacy/db")!)!)
        #expect(s.sets.map(\.kind) == [.hashNet])
        #expect(s.sets.first?.members.map(\.description) == ["198.18.1.2"])
    }
}
