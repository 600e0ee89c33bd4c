import ExtendCore
import Testing

/// The incremental compiler against a full recompile, over randomized worlds
/// and change sequences: after every batch its states equal a fresh compile
/// of the changed inputs, it reports exactly the hosts whose state changed,
/// and its set deltas turn the old members into the new ones.
@Suite struct IncrementalCompilerTests {
    typealias Rng = IndexedSelectionTests.Rng

    /// The inputs, changed the way the cluster and the inventory would be.
    struct Mirror {
        var cluster = ClusterState()
        var inventory = Inventory(namespaces: [Namespace(name: "legacy", labels: ["env": "live", "team": "ops"], virtual: true)])
        var nextIP: UInt32 = 1

        mutating func apply(_ c: ClusterChange) {
            switch c {
            case .pod(let p):
                cluster.pods.removeAll { $0.ref == p.ref }
                cluster.pods.append(p)
            case .podDeleted(let ns, let name): cluster.pods.removeAll { $0.namespace == ns && $0.name == name }
            case .namespace(let n):
                cluster.namespaces.removeAll { $0.name == n.name }
                cluster.namespaces.append(n)
            case .namespaceDeleted(let name): cluster.namespaces.removeAll { $0.name == name }
            case .policy(let p):
                cluster.policies.removeAll { $0.id == p.id }
                cluster.policies.append(p)
            case .policyDeleted(let ns, let name): cluster.policies.removeAll { $0.namespace == ns && $0.name == name }
            case .host(let h):
                inventory.hosts.removeAll { $0.name == h.name }
                inventory.hosts.append(h)
            case .hostDeleted(let name): inventory.hosts.removeAll { $0.name == name }
            }
        }

        func compileAll() -> [String: HostDesiredState] {
            let (world, problems) = World.build(cluster: cluster, inventory: inventory)
            precondition(problems.isEmpty, "\(problems)")
            let c = Compiler(world: world)
            return Dictionary(uniqueKeysWithValues: world.hosts.map { ($0.name, c.compile($0)) })
        }
    }

    static let clusterNamespaces = ["a", "b", "c", "d"]
    static let apps = ["web", "api", "db", "batch"]

    static func labels(_ r: inout Rng) -> Labels {
        var l: Labels = ["app": apps[r.int(apps.count)]]
        if r.int(2) == 0 { l["tier"] = ["front", "back"][r.int(2)] }
        return l
    }

    static func namespace(_ name: String, _ r: inout Rng) -> Namespace {
        Namespace(name: name, labels: ["env": ["live", "dev"][r.int(2)], "team": ["t1", "t2"][r.int(2)]])
    }

    /// "http" on most pods, "metrics" on few: many namespaces have no
    /// "metrics" at all until a pod brings the first.
    static func ports(_ r: inout Rng) -> [NamedPort] {
        switch r.int(12) {
        case 0..<4: return []
        case 4: return [NamedPort(name: "metrics", port: [9090, 9091][r.int(2)], proto: .tcp)]
        default: return [NamedPort(name: "http", port: [8080, 8081][r.int(2)], proto: .tcp)]
        }
    }

    static func pod(_ m: inout Mirror, _ r: inout Rng, name: String? = nil, ns: String? = nil) -> Pod {
        m.nextIP += 1
        var ips: [IPAddress] = [.v4(0x0A00_0000 | m.nextIP)]
        if r.int(4) == 0 { ips.append(IPAddress("fd00::\(String(m.nextIP, radix: 16))")!) }
        let phase: Pod.Phase = r.int(10) == 0 ? .succeeded : .running
        return Pod(namespace: ns ?? clusterNamespaces[r.int(clusterNamespaces.count)], name: name ?? "p\(r.int(40))",
                   labels: labels(&r), ips: ips, phase: phase, containerPorts: ports(&r))
    }

    static func host(_ m: inout Mirror, _ r: inout Rng, name: String) -> LegacyHost {
        m.nextIP += 1
        let ns = r.int(3) == 0 ? clusterNamespaces[r.int(clusterNamespaces.count)] : "legacy"
        return LegacyHost(name: name, namespace: ns, labels: labels(&r), addresses: [.v4(0xC612_0000 | m.nextIP)], ports: ports(&r))
    }

    static func selector(_ r: inout Rng) -> LabelSelector {
        switch r.int(4) {
        case 0: return .everything
        case 1: return LabelSelector(matchLabels: ["app": apps[r.int(apps.count)]])
        case 2: return LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["front"])])
        default: return LabelSelector(matchExpressions: [.init(key: "app", op: .notIn, values: ["db"])])
        }
    }

    static func peer(_ r: inout Rng) -> NetworkPolicy.Peer {
        switch r.int(5) {
        case 0: return .workloads(podSelector: selector(&r), namespaceSelector: nil)
        case 1: return .workloads(podSelector: nil, namespaceSelector: LabelSelector(matchLabels: ["env": "live"]))
        case 2: return .workloads(podSelector: selector(&r), namespaceSelector: LabelSelector(matchLabels: ["team": ["t1", "t2"][r.int(2)]]))
        case 3: return .workloads(podSelector: selector(&r), namespaceSelector: .everything)
        default: return .ipBlock(.init(cidr: CIDR("10.0.0.0/24")!, except: [CIDR("10.0.0.0/28")!]))
        }
    }

    static func rule(_ r: inout Rng) -> NetworkPolicy.Rule {
        let peers = r.int(6) == 0 ? [] : (0..<(1 + r.int(2))).map { _ in peer(&r) }
        var ports: [NetworkPolicy.PortMatch] = []
        switch r.int(4) {
        case 0: break
        case 1: ports = [.init(proto: .tcp, port: .number(5432))]
        case 2: ports = [.init(proto: .tcp, port: .named(["http", "http", "metrics"][r.int(3)]))]
        default: ports = [.init(proto: .udp, port: .number(7000), endPort: 7010)]
        }
        return .init(peers: peers, ports: ports)
    }

    static func policy(_ r: inout Rng, name: String) -> NetworkPolicy {
        let ns = r.int(2) == 0 ? "legacy" : clusterNamespaces[r.int(clusterNamespaces.count)]
        let egress = r.int(2) == 0 ? [rule(&r)] : []
        return NetworkPolicy(namespace: ns, name: name, podSelector: selector(&r),
                             policyTypes: egress.isEmpty ? [.ingress] : [.ingress, .egress],
                             ingress: (0..<(1 + r.int(2))).map { _ in rule(&r) }, egress: egress)
    }

    static func change(_ m: inout Mirror, _ r: inout Rng) -> ClusterChange {
        switch r.int(10) {
        case 0, 1, 2: return .pod(pod(&m, &r))
        case 3:
            guard let p = m.cluster.pods.randomElement(using: &r) else { return .pod(pod(&m, &r)) }
            return .podDeleted(namespace: p.namespace, name: p.name)
        case 4:
            // Relabel in place, keeping the addresses.
            guard var p = m.cluster.pods.randomElement(using: &r) else { return .pod(pod(&m, &r)) }
            p.labels = labels(&r)
            return .pod(p)
        case 5: return .namespace(namespace(clusterNamespaces[r.int(clusterNamespaces.count)], &r))
        case 6: return .policy(policy(&r, name: "np\(r.int(12))"))
        case 7:
            guard let p = m.cluster.policies.randomElement(using: &r) else { return .policy(policy(&r, name: "np0")) }
            return .policyDeleted(namespace: p.namespace, name: p.name)
        case 8: return .host(host(&m, &r, name: "h\(r.int(8))"))
        default:
            guard let h = m.inventory.hosts.randomElement(using: &r) else { return .host(host(&m, &r, name: "h0")) }
            return .hostDeleted(h.name)
        }
    }

    static func start(_ r: inout Rng) -> Mirror {
        var m = Mirror()
        m.cluster.namespaces = clusterNamespaces.map { namespace($0, &r) }
        for i in 0..<40 { m.apply(.pod(pod(&m, &r, name: "p\(i)"))) }
        for i in 0..<6 { m.apply(.host(host(&m, &r, name: "h\(i)"))) }
        for i in 0..<8 { m.apply(.policy(policy(&r, name: "np\(i)"))) }
        return m
    }

    @Test("incremental results equal a full recompile after every batch", arguments: 0..<24)
    func matchesFullRecompile(_ seed: Int) {
        var r = Rng(state: UInt64(seed) &* 7919)
        var m = Self.start(&r)
        let (world, _) = World.build(cluster: m.cluster, inventory: m.inventory)
        let engine = IncrementalCompiler(world: world)
        var before = m.compileAll()
        #expect(engine.states == before)
        // Keys of another compiler, of the same world: a relist replaces the controller's.
        let other = IncrementalCompiler(world: world)
        var keysBefore = Set(engine.states.keys.compactMap { other.keyedState(of: $0)?.key })
        var keysNow = Set(engine.states.keys.compactMap { engine.keyedState(of: $0)?.key })
        #expect(keysBefore.isDisjoint(with: keysNow), "two compilers never give the same key")
        for step in 0..<40 {
            let batch = (0..<(1 + r.int(3))).map { _ in Self.change(&m, &r) }
            for c in batch { m.apply(c) }
            let delta = engine.apply(batch)
            let after = m.compileAll()
            let wrong = Set(after.keys).union(engine.states.keys).filter { engine.states[$0] != after[$0] }.sorted()
            #expect(wrong.isEmpty, "seed \(seed) step \(step): hosts \(wrong) differ from a full recompile after \(batch)")
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] || (before[$0] != nil && after[$0] == nil) }
            #expect(Set(delta.hosts.map(\.name)) == changed, "seed \(seed) step \(step): reported \(delta.hosts.map(\.name)), changed \(changed.sorted()): \(batch)")
            for h in delta.hosts {
                #expect(engine.state(of: h.name) == after[h.name])
                #expect(h.removed == (after[h.name] == nil))
                if let old = before[h.name], let new = after[h.name], !h.structural {
                    #expect(old.tables.map(\.chains) == new.tables.map(\.chains), "a member-only change keeps the rules")
                }
            }
            // Set deltas turn the old members into the new ones, for every host holding the set.
            for (name, entries) in delta.sets {
                for h in delta.hosts {
                    guard let old = before[h.name]?.sets.first(where: { $0.name == name }),
                          let new = after[h.name]?.sets.first(where: { $0.name == name }) else { continue }
                    let result = Set(old.entryTexts).subtracting(entries.delete).union(entries.add)
                    #expect(result == Set(new.entryTexts), "set \(name) on \(h.name)")
                }
            }
            // Hosts whose states share a key hold the same rules and members: their digests are made once.
            keysBefore.formUnion(keysNow)
            keysNow = []
            var byKey: [IncrementalCompiler.StateKey: HostDesiredState] = [:]
            for name in engine.states.keys.sorted() {
                guard let (state, key) = engine.keyedState(of: name), let key else { continue }
                #expect(keysBefore.isDisjoint(with: [key]), "a key of an earlier batch never comes again")
                keysNow.insert(key)
                if let other = byKey[key] {
                    #expect(other.tables == state.tables && other.dropLogs == state.dropLogs, "seed \(seed) step \(step): \(name) shares a key, not its state")
                }
                byKey[key] = state
            }
            before = after
        }
    }

    @Test("hosts isolated alike share a state key; a batch gives new keys")
    func stateKeys() throws {
        let web = Pod(namespace: "shop", name: "web", labels: ["app": "web"], ips: [IPAddress("10.0.0.5")!])
        let hosts = ["db1", "db2", "db3"].enumerated().map { i, n in
            LegacyHost(name: n, namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("198.18.0.\(i + 10)")!],
                       ports: n == "db3" ? [NamedPort(name: "sql", port: 5432, proto: .tcp)] : [])
        }
        let policy = NetworkPolicy(namespace: "legacy", name: "db", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                                   ingress: [.init(peers: [.workloads(podSelector: nil, namespaceSelector: .everything)])])
        let world = World.build(cluster: ClusterState(namespaces: [Namespace(name: "shop"), Namespace(name: "legacy")], pods: [web], policies: [policy]),
                                inventory: Inventory(hosts: hosts)).0
        let engine = IncrementalCompiler(world: world)
        let k1 = try #require(engine.keyedState(of: "db1")?.key), k2 = try #require(engine.keyedState(of: "db2")?.key)
        let k3 = try #require(engine.keyedState(of: "db3")?.key)
        #expect(k1 == k2, "same policies, ports and guard: one rule set")
        #expect(k1 != k3, "its own named ports: a rule set of its own")
        var moved = web
        moved.ips = [IPAddress("10.0.0.6")!]
        let delta = engine.apply([ClusterChange.pod(moved)])
        #expect(!delta.hosts.isEmpty && delta.hosts.allSatisfy { !$0.structural }, "members only")
        let after1 = try #require(engine.keyedState(of: "db1")), after2 = try #require(engine.keyedState(of: "db2")?.key)
        #expect(after1.key == after2)
        #expect(after1.key != k1, "new members: the digest of before must not be reused")
        #expect(after1.state.sets.contains { $0.entryTexts.contains("10.0.0.6") })
        #expect(engine.keyedState(of: "nobody") == nil)
    }

    @Test("one pod relabelled touches only the hosts holding its atoms, as member changes")
    func onePodRelabel() throws {
        let live = LabelSelector(matchLabels: ["env": "live"])
        let nss = [Namespace(name: "a", labels: ["env": "live"]), Namespace(name: "b", labels: ["env": "dev"])]
        let pods = (0..<20).map { Pod(namespace: $0 < 10 ? "a" : "b", name: "p\($0)", labels: ["app": "web"], ips: [.v4(0x0A00_0000 | UInt32($0 + 1))]) }
        let pols = [
            NetworkPolicy(namespace: "legacy", name: "db", podSelector: LabelSelector(matchLabels: ["role": "db"]),
                          ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]), namespaceSelector: live)])]),
            NetworkPolicy(namespace: "legacy", name: "cache", podSelector: LabelSelector(matchLabels: ["role": "cache"]),
                          ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "batch"]), namespaceSelector: live)])]),
        ]
        let hosts = [LegacyHost(name: "db", namespace: "legacy", labels: ["role": "db"], addresses: [IPAddress("198.18.0.1")!]),
                     LegacyHost(name: "cache", namespace: "legacy", labels: ["role": "cache"], addresses: [IPAddress("198.18.0.2")!]),
                     LegacyHost(name: "other", namespace: "legacy", labels: ["role": "other"], addresses: [IPAddress("198.18.0.3")!])]
        let world = World.build(cluster: ClusterState(namespaces: nss, pods: pods, policies: pols),
                                inventory: Inventory(namespaces: [Namespace(name: "legacy", virtual: true)], hosts: hosts)).0
        let engine = IncrementalCompiler(world: world)
        var p = pods[3]
        p.labels = ["app": "batch"]
        let delta = engine.apply([.pod(p)])
        #expect(delta.hosts.map(\.name) == ["cache", "db"])
        let db = try #require(delta.hosts.first { $0.name == "db" })
        #expect(!db.structural)
        #expect(delta.sets.values.contains { $0.delete == ["10.0.0.4"] && $0.add.isEmpty })
        // cache's atom filled up: a change of shape (a rule appears).
        #expect(delta.hosts.first { $0.name == "cache" }?.structural == true)
    }
}

/// A controller runs for weeks: what the engine keeps must not grow with
/// every policy and namespace that ever existed.
@Suite struct IncrementalCompactionTests {
    typealias T = IncrementalCompilerTests

    @Test("compact() keeps every state and delta, and drops the sets of what is gone", arguments: 0..<6)
    func compactKeepsStatesAndDropsStale(_ seed: Int) {
        var r = T.Rng(state: UInt64(seed) &* 104_729 &+ 1)
        var m = T.start(&r)
        let (world, _) = World.build(cluster: m.cluster, inventory: m.inventory)
        let engine = IncrementalCompiler(world: world)
        for _ in 0..<60 {
            let batch = (0..<(1 + r.int(3))).map { _ in T.change(&m, &r) }
            for c in batch { m.apply(c) }
            _ = engine.apply(batch)
        }
        let states = engine.states
        let grown = engine.setCount
        let dropped = engine.compact()
        #expect(engine.states == states, "the same states after compacting")
        let (fresh, _) = World.build(cluster: m.cluster, inventory: m.inventory)
        #expect(engine.setCount == IncrementalCompiler(world: fresh).setCount, "exactly the sets a fresh engine holds")
        #expect(dropped == grown - engine.setCount && dropped > 0, "seed \(seed): \(grown) sets before, dropped \(dropped)")
        // And it goes on answering changes exactly.
        var before = m.compileAll()
        for step in 0..<10 {
            let batch = (0..<(1 + r.int(3))).map { _ in T.change(&m, &r) }
            for c in batch { m.apply(c) }
            let delta = engine.apply(batch)
            let after = m.compileAll()
            #expect(engine.states == after, "seed \(seed) step \(step) after compacting")
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
            #expect(Set(delta.hosts.map(\.name)) == changed)
            before = after
        }
    }
}
