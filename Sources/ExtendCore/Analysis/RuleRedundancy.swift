/// Rules that allow nothing beyond their policy's other rules: for every
/// target the policy selects and every peer, on every port, what the rule
/// admits the others admit too. (A rule that admits all traffic makes the
/// others redundant: the policy lint says that already, and such policies
/// are left to it.)
struct RuleRedundancy {
    let judge: ClassJudge
    let world: World

    init(world: World) {
        self.world = world
        judge = ClassJudge(world: world)
    }

    /// Per policy and direction, the indices of the redundant rules.
    func redundant() -> [(policy: NetworkPolicy, direction: Direction, rules: [Int])] {
        var out: [(NetworkPolicy, Direction, [Int])] = []
        let classes = judge.classes.classes
        let selection = Selection(world: world)
        let words = judge.words
        for p in world.policies {
            let targets = classes.indices.filter { selection.applies(p, to: classes[$0].members[0]) }
            guard !targets.isEmpty else { continue }
            for d in Direction.allCases where p.policyTypes.contains(d) {
                let rules = p.rules(d)
                guard rules.count > 1, !rules.contains(where: { $0.allowsAllPeers && $0.allowsAllPorts }) else { continue }
                let compiled = rules.map { judge.compile($0, p) }
                var still = Array(repeating: true, count: rules.count)
                var masks = Array(repeating: [UInt64](repeating: 0, count: words), count: rules.count)
                search: for t in targets {
                    for c in classes.indices {
                        // Ingress: from peer c into target t; egress: from t out to peer c.
                        let (src, dst) = d == .ingress ? (c, t) : (t, c)
                        guard let (sa, da) = judge.addresses(src, dst) else { continue }
                        let peerAddress = d == .ingress ? sa : da
                        for i in rules.indices {
                            for w in 0..<words { masks[i][w] = 0 }
                            judge.admit(compiled[i], peer: c, at: peerAddress, destination: dst, into: &masks[i])
                        }
                        for i in rules.indices where still[i] {
                            for w in 0..<words {
                                var others: UInt64 = 0
                                // Of two identical rules, the first is not covered by the second.
                                for j in rules.indices where j != i && !(j > i && rules[j] == rules[i]) { others |= masks[j][w] }
                                if masks[i][w] & ~others != 0 {
                                    still[i] = false
                                    break
                                }
                            }
                        }
                        if !still.contains(true) { break search }
                    }
                }
                let found = still.indices.filter { still[$0] }
                if !found.isEmpty { out.append((p, d, found)) }
            }
        }
        return out
    }
}
