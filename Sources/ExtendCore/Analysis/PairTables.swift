/// The matrix's pair loop, on flat tables of plain numbers. The loop runs
/// once per ordered pair of classes (millions at 10k pods): judged on
/// `ClassJudge.Rule` values it spent most of its time retaining and releasing
/// the arrays inside them (rules, peers, masks, addresses copied per pair).
/// Here every rule, peer, address test and guard is a number or a bit in an
/// array of integers, worked out once per class; the verdicts are the same.
struct PairTables {
    private let n: Int
    private let words: Int
    /// Per class, bit f set when its first member (second member) has an address of family f (0: IPv4, 1: IPv6).
    private var firstFamilies: [UInt8]
    private var secondFamilies: [UInt8]
    /// Peers as bits: the selector peers, then every distinct ipBlock, then every distinct lockout guard.
    private let peerWords: Int
    /// Per class, member (0: first, 1: second) and family: the peers that pick
    /// it, at row `((class * 2 + member) * 2 + family) * peerWords`. A block or
    /// guard bit is set when it contains that member's address of that family.
    private var rows: [UInt64]
    /// Per class and direction: its rule set (in `setStart`), -1 when no policy isolates it.
    private var egressSet: [Int32]
    private var ingressSet: [Int32]
    /// Rule set i is rules `setRules[setStart[i]..<setStart[i + 1]]`.
    private let setStart: [Int32]
    private let setRules: [Int32]
    /// Rule r: its peers `rulePeers[peerStart[r]..<peerStart[r + 1]]` (none: every peer), its numbered
    /// atoms `fixed[r * words..<(r + 1) * words]`, its named ports `ruleNamed[namedStart[r]..<namedStart[r + 1]]`.
    private var peerStart: [Int32] = [0]
    private var rulePeers: [Int32] = []
    private var fixed: [UInt64] = []
    private var namedStart: [Int32] = [0]
    private var ruleNamed: [Int32] = []
    /// Per destination class and named port: its atom, -1 when it resolves nowhere.
    private let namedCount: Int
    private let namedAtom: [Int32]
    /// Per destination class: its guard's peer bit and SSH atom, -1 when it has none.
    private var guardPeer: [Int32]
    private var guardAtom: [Int32]
    private let everything: [UInt64]

    init(judge: ClassJudge, world: World) {
        let classes = judge.classes.classes
        n = classes.count
        words = judge.words
        everything = judge.everything.words
        namedCount = judge.namedCount
        namedAtom = judge.namedAtom

        // Every rule compiled once per policy, numbered; each class's rule set interned.
        let selection = Selection(world: world)
        var blocks: [NetworkPolicy.IPBlock: Int] = [:]
        var blockList: [NetworkPolicy.IPBlock] = []
        var compiled: [String: [Int32]] = [:]
        var sets: [[Int32]: Int32] = [:]
        var setOf: [Direction: [Int32]] = [:]
        let selectors = judge.classes.selectorPeers.count
        var rulePeerIDs: [[Int]] = []
        var fixedWords: [UInt64] = []
        var namedLists: [[Int32]] = []
        var setStart: [Int32] = [0], setRules: [Int32] = []
        for d in [Direction.ingress, .egress] {
            setOf[d] = classes.map { c in
                let isolating = selection.isolating(c.members[0], d)
                guard !isolating.isEmpty else { return -1 }
                let ids = isolating.flatMap { p in
                    let key = d.rawValue + "\u{0}" + p.id
                    if let hit = compiled[key] { return hit }
                    let ids = p.rules(d).map { rule -> Int32 in
                        let r = judge.compile(rule, p)
                        rulePeerIDs.append(r.peers.map { peer in
                            switch peer {
                            case .selector(let id): return id
                            case .block(let b):
                                if let id = blocks[b] { return selectors + id }
                                blocks[b] = blockList.count
                                blockList.append(b)
                                return selectors + blockList.count - 1
                            }
                        })
                        fixedWords += r.fixed.words
                        namedLists.append(r.named.map(Int32.init))
                        return Int32(rulePeerIDs.count - 1)
                    }
                    compiled[key] = ids
                    return ids
                }
                if let id = sets[ids] { return id }
                let id = Int32(sets.count)
                sets[ids] = id
                setRules += ids
                setStart.append(Int32(setRules.count))
                return id
            }
        }
        ingressSet = setOf[.ingress]!
        egressSet = setOf[.egress]!
        self.setStart = setStart
        self.setRules = setRules
        for p in rulePeerIDs {
            rulePeers += p.map(Int32.init)
            peerStart.append(Int32(rulePeers.count))
        }
        fixed = fixedWords
        for named in namedLists {
            ruleNamed += named
            namedStart.append(Int32(ruleNamed.count))
        }

        // Guards: one peer bit per distinct list of management ranges.
        var guardIDs: [[CIDR]: Int] = [:]
        var guardList: [[CIDR]] = []
        guardPeer = []
        guardAtom = []
        for g in judge.guards {
            guard let g else {
                guardPeer.append(-1)
                guardAtom.append(-1)
                continue
            }
            let id = guardIDs[g.ranges] ?? {
                guardIDs[g.ranges] = guardList.count
                guardList.append(g.ranges)
                return guardList.count - 1
            }()
            guardPeer.append(Int32(selectors + blockList.count + id))
            guardAtom.append(Int32(g.atom))
        }

        let peerCount = selectors + blockList.count + guardList.count
        let pw = max(1, (peerCount + 63) / 64)
        peerWords = pw
        rows = [UInt64](repeating: 0, count: max(1, n * 4 * pw))
        firstFamilies = [UInt8](repeating: 0, count: n)
        secondFamilies = [UInt8](repeating: 0, count: n)
        for c in 0..<n {
            for member in 0..<2 {
                let addresses = member == 0 ? judge.first[c] : judge.second[c]
                for f in 0..<2 {
                    let row = ((c * 2 + member) * 2 + f) * pw
                    for w in 0..<judge.peerWords { rows[row + w] = judge.picked[c * judge.peerWords + w] }
                    guard f < addresses.count, let a = addresses[f] else { continue }
                    if member == 0 { firstFamilies[c] |= 1 << UInt8(f) } else { secondFamilies[c] |= 1 << UInt8(f) }
                    for (i, b) in blockList.enumerated() where b.contains(a) {
                        let bit = selectors + i
                        rows[row + bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                    for (i, ranges) in guardList.enumerated() where ranges.contains(where: { $0.contains(a) }) {
                        let bit = selectors + blockList.count + i
                        rows[row + bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                }
            }
        }
    }

    /// Every pair's mask number (-1: nothing), `from * n + to`, and the distinct masks, numbered in the order first met.
    func judgeAll() -> (pairs: [Int32], masks: [AtomMask]) {
        var result = [Int32](repeating: -1, count: n * n)
        var found: [AtomMask] = []
        var numbered: [[UInt64]: Int32] = [:]
        var out = [UInt64](repeating: 0, count: words), into = out
        for s in 0..<n {
            for d in 0..<n {
                let ends = firstFamilies[s] & (s == d ? secondFamilies[d] : firstFamilies[d])
                guard ends != 0 else { continue }
                let f = ends & 1 != 0 ? 0 : 1
                // Egress of s towards peer d (seen at its address: its second member's when d is s), then ingress of d from s.
                side(egressSet[s], peerRow: ((d * 2 + (s == d ? 1 : 0)) * 2 + f) * peerWords, destination: d, into: &out)
                var anyOut = false
                for w in 0..<words where out[w] != 0 { anyOut = true; break }
                if !anyOut { continue }
                let sourceRow = ((s * 2) * 2 + f) * peerWords
                side(ingressSet[d], peerRow: sourceRow, destination: d, into: &into)
                let g = guardPeer[d]
                if g >= 0, rows[sourceRow + Int(g) >> 6] & (1 << UInt64(g & 63)) != 0 {
                    let a = Int(guardAtom[d])
                    into[a >> 6] |= 1 << UInt64(a & 63)
                }
                var any = false
                for w in 0..<words {
                    into[w] &= out[w]
                    any = any || into[w] != 0
                }
                guard any else { continue }
                if let id = numbered[into] {
                    result[s * n + d] = id
                } else {
                    let id = Int32(found.count)
                    numbered[into] = id
                    found.append(AtomMask(words: into))
                    result[s * n + d] = id
                }
            }
        }
        return (result, found)
    }

    /// One side: every atom when no policy isolates it, else the atoms its
    /// rules admit for the peer whose bits are at `peerRow`, named ports resolved on `destination`.
    private func side(_ set: Int32, peerRow: Int, destination d: Int, into m: inout [UInt64]) {
        guard set >= 0 else {
            for w in 0..<words { m[w] = everything[w] }
            return
        }
        for w in 0..<words { m[w] = 0 }
        for i in Int(setStart[Int(set)])..<Int(setStart[Int(set) + 1]) {
            let r = Int(setRules[i])
            let p0 = Int(peerStart[r]), p1 = Int(peerStart[r + 1])
            if p0 < p1 {
                var hit = false
                for p in p0..<p1 {
                    let bit = Int(rulePeers[p])
                    if rows[peerRow + bit >> 6] & (1 << UInt64(bit & 63)) != 0 { hit = true; break }
                }
                if !hit { continue }
            }
            let base = r * words
            for w in 0..<words { m[w] |= fixed[base + w] }
            for k in Int(namedStart[r])..<Int(namedStart[r + 1]) {
                let a = namedAtom[d * namedCount + Int(ruleNamed[k])]
                if a >= 0 { m[Int(a) >> 6] |= 1 << UInt64(a & 63) }
            }
        }
    }
}
