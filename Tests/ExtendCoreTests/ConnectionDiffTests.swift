import ExtendCore
import Testing

/// `extend diff --connections`: what a change opens and closes is exactly
/// the difference of the two states' matrices, and says what caused it.
@Suite("Connection diff")
struct ConnectionDiffTests {
    typealias Rng = IndexedSelectionTests.Rng
    typealias M = ConnectivityMatrixTests

    /// The world rebuilt from its inputs after one random edit: a policy
    /// changed, added or deleted, a pod relabelled, added or deleted, a
    /// namespace relabelled, a host relabelled.
    static func edited(_ world: World, seed: UInt64) -> World {
        var r = Rng(state: seed &* 7919)
        return M.rebuilt(world) { cluster, hosts in
            switch r.int(7) {
            case 0 where !cluster.policies.isEmpty:
                let i = r.int(cluster.policies.count)
                cluster.policies[i].ingress = M.rules(&r)
            case 1:
                cluster.policies.append(NetworkPolicy(namespace: M.namespaces[r.int(3)], name: "new", podSelector: M.selector(&r),
                                                      policyTypes: [.ingress, .egress], ingress: M.rules(&r), egress: M.rules(&r)))
            case 2 where !cluster.policies.isEmpty:
                cluster.policies.remove(at: r.int(cluster.policies.count))
            case 3 where !cluster.pods.isEmpty:
                let i = r.int(cluster.pods.count)
                cluster.pods[i].labels = M.labels(&r)
            case 4:
                cluster.pods.append(Pod(namespace: M.namespaces[r.int(3)], name: "fresh", labels: M.labels(&r),
                                        ips: [IPAddress("10.0.9.9")!], containerPorts: M.namedPorts(&r)))
            case 5 where !cluster.namespaces.isEmpty:
                let i = r.int(cluster.namespaces.count)
                cluster.namespaces[i].labels = ["env": cluster.namespaces[i].labels["env"] == "live" ? "dev" : "live"]
            default:
                if !hosts.isEmpty { hosts[r.int(hosts.count)].labels = M.labels(&r) }
            }
        }
    }

    @Test("opened and closed are exactly the connections one state's matrix allows and the other's does not, for every pair of endpoints and every port atom of either", arguments: 0..<40)
    func equalsMatrixDifference(seed: UInt64) {
        let before = M.world(seed: seed)
        let after = Self.edited(before, seed: seed)
        let diff = ConnectionDiff(current: before, proposed: after)
        let a = ConnectivityMatrix(world: before), b = ConnectivityMatrix(world: after)
        func listed(_ changes: [ConnectionDiff.Change], _ from: String, _ to: String, _ proto: Proto, _ port: Int) -> Bool {
            changes.contains { c in
                c.from.contains { diff.classes[$0].members.contains(from) } && c.to.contains { diff.classes[$0].members.contains(to) }
                    && c.ports.contains { $0.proto == proto && ($0.lower...$0.upper).contains(port) }
            }
        }
        let endpoints = Set(before.allWorkloads.map(\.ref) + after.allWorkloads.map(\.ref)).sorted()
        let ports = Set((a.ports.atoms + b.ports.atoms).flatMap { [($0.proto, $0.range.lowerBound), ($0.proto, $0.range.upperBound)] }.map { "\($0.0.rawValue) \($0.1)" })
        for f in endpoints {
            for t in endpoints where f != t {
                for p in ports {
                    let parts = p.split(separator: " ")
                    let proto = Proto(rawValue: String(parts[0]))!, port = Int(parts[1])!
                    let was = before.workload(ref: f).flatMap { x in before.workload(ref: t).map { a.allows(from: x, to: $0, proto, port) } } ?? false
                    let now = after.workload(ref: f).flatMap { x in after.workload(ref: t).map { b.allows(from: x, to: $0, proto, port) } } ?? false
                    #expect(listed(diff.opened, f, t, proto, port) == (now && !was), "seed \(seed): opened \(f) -> \(t) \(p)")
                    #expect(listed(diff.closed, f, t, proto, port) == (was && !now), "seed \(seed): closed \(f) -> \(t) \(p)")
                }
            }
        }
        // Every change says why.
        #expect((diff.opened + diff.closed).allSatisfy { !$0.because.isEmpty }, "seed \(seed)")
    }

    @Test("the same state twice: nothing opened or closed")
    func unchanged() {
        let w = M.world(seed: 3)
        #expect(ConnectionDiff(current: w, proposed: w).isEmpty)
    }
}
