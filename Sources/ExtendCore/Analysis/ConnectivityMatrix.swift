/// Who can reach whom, among every pod and legacy host, per protocol and
/// port: the pairs of endpoint classes and the port atoms each allows,
/// judged as `explain` judges one connection (the same policies, the first
/// address family both ends have, the lockout guard).
public struct ConnectivityMatrix: Sendable {
    public let classes: EndpointClasses
    public let ports: PortAtoms
    /// Every distinct set of atoms a pair allows, numbered.
    public private(set) var masks: [AtomMask] = []
    /// Per (from, to) class pair, `from * classCount + to`: the number of
    /// the atoms it allows in `masks`, -1 for none. A class to itself
    /// stands for its distinct members (an endpoint to itself is never
    /// listed); a class of one member has no such pair.
    private var pairs: [Int32] = []
    public var classCount: Int { classes.classes.count }

    public struct Pair: Hashable, Sendable, Comparable {
        public var from: Int
        public var to: Int
        public static func < (a: Pair, b: Pair) -> Bool { (a.from, a.to) < (b.from, b.to) }
    }

    /// The number (in `masks`) of what `from` may open to `to`; nil for nothing.
    public func maskID(_ from: Int, _ to: Int) -> Int? {
        let m = pairs[from * classCount + to]
        return m < 0 ? nil : Int(m)
    }

    /// Every pair that allows something, with its mask's number.
    public var allowedPairs: [(pair: Pair, mask: Int)] {
        var out: [(Pair, Int)] = []
        let n = classCount
        for (i, m) in pairs.enumerated() where m >= 0 { out.append((Pair(from: i / n, to: i % n), Int(m))) }
        return out
    }

    /// One policy rule, ready to judge a class: its peers and its ports.
    private struct Rule {
        enum Peer {
            case selector(Int)
            case block(NetworkPolicy.IPBlock)
        }
        /// Empty: every peer.
        var peers: [Peer]
        /// The numbered ports (and whole protocols) it admits.
        var fixed: AtomMask
        /// Named ports: resolved on the destination.
        var named: [Int]
    }

    public init(world: World) {
        let classes = EndpointClasses(world: world)
        self.classes = classes
        let policies = world.policies

        // Atoms: every boundary a policy, a named port or a guard draws.
        var cuts: [Proto: Set<Int>] = [:]
        func cut(_ p: Proto, _ lo: Int, _ hi: Int) { cuts[p, default: []].formUnion([lo, hi + 1]) }
        for p in policies {
            for rule in p.ingress + p.egress {
                for m in rule.ports {
                    if case .number(let n)? = m.port { cut(m.proto, n, max(n, m.endPort ?? n)) }
                }
            }
        }
        for (key, id) in classes.namedPorts {
            for r in classes.resolved { if let n = r[id] { cut(key.proto, n, n) } }
        }
        for h in world.hosts { cut(.tcp, h.ssh.port, h.ssh.port) }
        let ports = PortAtoms(cuts: cuts)
        self.ports = ports
        let count = ports.count, everything = AtomMask.all(count)

        func compile(_ r: NetworkPolicy.Rule, _ p: NetworkPolicy) -> Rule {
            var out = Rule(peers: [], fixed: AtomMask(count: count), named: [])
            for peer in r.peers {
                switch peer {
                case .ipBlock(let b): out.peers.append(.block(b))
                case .workloads(let pod, let ns):
                    let key = EndpointClasses.SelectorPeer(namespaces: ns, own: ns == nil ? p.namespace : nil, pods: pod ?? .everything)
                    if let id = classes.selectorPeers[key] { out.peers.append(.selector(id)) }
                }
            }
            if r.allowsAllPorts { out.fixed = everything }
            for m in r.ports {
                switch m.port {
                case nil: out.fixed.insert(ports.all(m.proto))
                case .number(let n): out.fixed.insert(ports.covering(m.proto, n, max(n, m.endPort ?? n)))
                case .named(let name):
                    if let id = classes.namedPorts[.init(name: name, proto: m.proto)] { out.named.append(id) }
                }
            }
            return out
        }
        // Per class and direction: nil when no policy isolates it, else every rule of the policies that do.
        let selection = Selection(world: world)
        var rules: [Direction: [[Rule]?]] = [:]
        for d in Direction.allCases {
            var compiled: [String: [Rule]] = [:]
            rules[d] = classes.classes.map { c in
                let isolating = selection.isolating(c.members[0], d)
                guard !isolating.isEmpty else { return nil }
                return isolating.flatMap { p in
                    if let hit = compiled[p.id] { return hit }
                    let r = p.rules(d).map { compile($0, p) }
                    compiled[p.id] = r
                    return r
                }
            }
        }
        // Per class: the atom each named port resolves to there.
        let namedAtoms: [[Int?]] = classes.resolved.map { r in
            classes.namedPorts.sorted { $0.value < $1.value }.map { key, id in r[id].map { ports.index(key.proto, $0) } }
        }
        let guards: [(ranges: [CIDR], atom: Int)?] = classes.classes.map { c in
            guard c.kind == .host, let h = world.host(of: c.members[0]), !h.management.isEmpty else { return nil }
            return (h.management, ports.index(.tcp, h.ssh.port))
        }

        // Flat tables for the pair loop, which runs classes² times: bit sets of
        // the selector peers picking each class, each rule's fixed ports, the
        // atom of each named port per class; scratch masks reused.
        let n = classes.classes.count, words = (count + 63) / 64
        let peerWords = (classes.selectorPeers.count + 63) / 64
        var picked = [UInt64](repeating: 0, count: max(1, n * peerWords))
        for c in 0..<n { for id in classes.pickedBy[c] { picked[c * peerWords + id >> 6] |= 1 << UInt64(id & 63) } }
        let namedCount = classes.namedPorts.count
        var namedAtom = [Int32](repeating: -1, count: max(1, n * namedCount))
        for c in 0..<n { for (id, a) in namedAtoms[c].enumerated() { if let a { namedAtom[c * namedCount + id] = Int32(a) } } }

        func sideMask(_ rs: [Rule]?, peer c: Int, at address: IPAddress, destination d: Int, into m: inout [UInt64]) {
            guard let rs else {
                for w in 0..<words { m[w] = everything.words[w] }
                return
            }
            for w in 0..<words { m[w] = 0 }
            for rule in rs {
                if !rule.peers.isEmpty {
                    let hit = rule.peers.contains { p in
                        switch p {
                        case .selector(let id): picked[c * peerWords + id >> 6] & (1 << UInt64(id & 63)) != 0
                        case .block(let b): b.contains(address)
                        }
                    }
                    if !hit { continue }
                }
                for w in 0..<words { m[w] |= rule.fixed.words[w] }
                for id in rule.named {
                    let a = namedAtom[d * namedCount + id]
                    if a >= 0 { m[Int(a) >> 6] |= 1 << UInt64(a & 63) }
                }
            }
        }

        // Per class, the addresses a connection uses (the first of each family)
        // of its first member and, for a class to itself, of its second.
        func firstAddresses(_ w: Workload?) -> [IPAddress?] {
            AddressFamily.allCases.map { f in w?.addresses.first { $0.family == f } }
        }
        let first = classes.classes.map { firstAddresses($0.members[0]) }
        let second = classes.classes.map { firstAddresses($0.members.dropFirst().first) }
        let egress = rules[.egress]!, ingress = rules[.ingress]!
        var out = [UInt64](repeating: 0, count: words), into = out
        var numbered: [[UInt64]: Int32] = [:]
        var result = [Int32](repeating: -1, count: n * n)
        var found: [AtomMask] = []
        for s in 0..<n {
            for d in 0..<n {
                // A class to itself: two of its members (an endpoint to itself is not listed).
                let target = s == d ? second[d] : first[d]
                guard let f = first[s].indices.first(where: { first[s][$0] != nil && target[$0] != nil }),
                      let sa = first[s][f], let da = target[f] else { continue }
                sideMask(egress[s], peer: d, at: da, destination: d, into: &out)
                if out.allSatisfy({ $0 == 0 }) { continue }
                sideMask(ingress[d], peer: s, at: sa, destination: d, into: &into)
                if let g = guards[d], g.ranges.contains(where: { $0.contains(sa) }) { into[g.atom >> 6] |= 1 << UInt64(g.atom & 63) }
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
        pairs = result
        masks = found
    }

    /// Whether `from` may open a connection to `to` on `proto`/`port` (distinct endpoints).
    public func allows(from: Workload, to: Workload, _ proto: Proto, _ port: Int) -> Bool {
        guard let s = classes.classOf(from.ref), let d = classes.classOf(to.ref) else { return false }
        return maskID(s.id, d.id).map { masks[$0].contains(ports.index(proto, port)) } ?? false
    }
}
