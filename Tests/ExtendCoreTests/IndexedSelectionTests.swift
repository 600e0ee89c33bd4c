import ExtendCore
import Testing

/// Selection answers from postings (namespace, label key and value); it must
/// pick exactly what testing every workload against the selector picks.
@Suite struct IndexedSelectionTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let keys = ["app", "tier", "team", "env"]
    static let values = ["a", "b", "c", "d"]

    static func labels(_ r: inout Rng) -> Labels {
        var l: Labels = [:]
        for k in keys where r.int(3) > 0 { l[k] = values[r.int(values.count)] }
        return l
    }

    static func selector(_ r: inout Rng) -> LabelSelector {
        var s = LabelSelector()
        for _ in 0..<r.int(3) { s.matchLabels[keys[r.int(keys.count)]] = values[r.int(values.count)] }
        for _ in 0..<r.int(3) {
            let op = LabelSelector.Requirement.Operator.allCases[r.int(4)]
            let vals = op == .in || op == .notIn ? Array(values.shuffled(using: &r).prefix(1 + r.int(3))) : []
            s.matchExpressions.append(.init(key: keys[r.int(keys.count)], op: op, values: vals))
        }
        return s
    }

    static func world(_ r: inout Rng) -> World {
        let nss = (0..<4).map { Namespace(name: "ns\($0)", labels: labels(&r)) }
        var pods: [Pod] = []
        for i in 0..<120 {
            pods.append(Pod(namespace: "ns\(r.int(4))", name: "p\(i)", labels: labels(&r), ips: [.v4(0x0A00_0000 | UInt32(i + 1))]))
        }
        let hosts = (0..<10).map { i in
            LegacyHost(name: "h\(i)", namespace: "ns\(r.int(4))", labels: labels(&r), addresses: [.v4(0xC612_0000 | UInt32(i + 1))])
        }
        return World.build(cluster: ClusterState(namespaces: nss, pods: pods), inventory: Inventory(hosts: hosts)).0
    }

    @Test("indexed selection equals testing every workload", arguments: 0..<20)
    func matchesBruteForce(_ seed: Int) {
        var r = Rng(state: UInt64(seed))
        let world = Self.world(&r)
        let s = Selection(world: world)
        for _ in 0..<60 {
            let pods = Self.selector(&r)
            let nsSel: LabelSelector? = r.int(3) == 0 ? nil : Self.selector(&r)
            let own = "ns\(r.int(4))"
            let expected = world.allWorkloads.filter { w in
                let nsOK = nsSel.map { sel in world.namespaces[w.namespace].map { sel.matches($0.labels) } ?? false } ?? (w.namespace == own)
                return nsOK && pods.matches(w.labels)
            }.map(\.ref)
            let got = s.workloads(podSelector: pods, namespaceSelector: nsSel, policyNamespace: own).map(\.ref)
            #expect(got == expected, "pods \(pods.canonical), namespaces \(nsSel?.canonical ?? "own \(own)")")
            #expect(s.selectsAny(podSelector: pods, namespaceSelector: nsSel, policyNamespace: own) == !expected.isEmpty)
        }
    }
}

extension IndexedSelectionTests.Rng: RandomNumberGenerator {}
