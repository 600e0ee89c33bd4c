/// What the analysis judges connections with: the endpoint classes, the port
/// atoms, and flat tables for loops that run once per pair of classes (bit
/// sets of the selector peers picking each class, the atom each named port
/// resolves to per class, each host class's lockout guard).
struct ClassJudge {
    let classes: EndpointClasses
    let ports: PortAtoms
    /// Words per atom mask.
    let words: Int
    let everything: AtomMask
    let peerWords: Int
    private(set) var picked: [UInt64]
    let namedCount: Int
    private(set) var namedAtom: [Int32]
    let guards: [(ranges: [CIDR], atom: Int)?]
    /// Per class, the first address of each family of its first member and of its second.
    let first: [[IPAddress?]]
    let second: [[IPAddress?]]

    /// One policy rule, ready to judge a class: its peers and its ports.
    struct Rule {
        enum Peer {
            case selector(Int)
            case block(NetworkPolicy.IPBlock)
        }
        /// Empty: every peer.
        var peers: [Peer]
        /// The numbered ports (and whole protocols) it admits.
        var fixed: AtomMask
        /// Named ports (by number in `EndpointClasses.namedPorts`): resolved on the destination.
        var named: [Int]
    }

    init(world: World) {
        let classes = EndpointClasses(world: world)
        self.classes = classes
        // Atoms: every boundary a policy, a named port or a guard draws.
        var cuts: [Proto: Set<Int>] = [:]
        func cut(_ p: Proto, _ lo: Int, _ hi: Int) { cuts[p, default: []].formUnion([lo, hi + 1]) }
        for p in world.policies {
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
        words = (ports.count + 63) / 64
        everything = AtomMask.all(ports.count)

        let n = classes.classes.count
        peerWords = (classes.selectorPeers.count + 63) / 64
        picked = [UInt64](repeating: 0, count: max(1, n * peerWords))
        for c in 0..<n { for id in classes.pickedBy[c] { picked[c * peerWords + id >> 6] |= 1 << UInt64(id & 63) } }
        namedCount = classes.namedPorts.count
        namedAtom = [Int32](repeating: -1, count: max(1, n * namedCount))
        let names = classes.namedPorts.sorted { $0.value < $1.value }
        for c in 0..<n {
            for (key, id) in names { if let v = classes.resolved[c][id] { namedAtom[c * namedCount + id] = Int32(ports.index(key.proto, v)) } }
        }
        guards = classes.classes.map { c in
            guard c.kind == .host, let h = world.host(of: c.members[0]), !h.management.isEmpty else { return nil }
            return (h.management, ports.index(.tcp, h.ssh.port))
        }
        func firstAddresses(_ w: Workload?) -> [IPAddress?] {
            AddressFamily.allCases.map { f in w?.addresses.first { $0.family == f } }
        }
        first = classes.classes.map { firstAddresses($0.members[0]) }
        second = classes.classes.map { firstAddresses($0.members.dropFirst().first) }
    }

    func compile(_ r: NetworkPolicy.Rule, _ p: NetworkPolicy) -> Rule {
        var out = Rule(peers: [], fixed: AtomMask(count: ports.count), named: [])
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

    /// The addresses a connection from class `s` to class `d` uses (the first
    /// family both have; a class to itself: its first and second members),
    /// nil when they share no family or a class of one member meets itself.
    func addresses(_ s: Int, _ d: Int) -> (source: IPAddress, destination: IPAddress)? {
        let target = s == d ? second[d] : first[d]
        guard let f = first[s].indices.first(where: { first[s][$0] != nil && target[$0] != nil }),
              let sa = first[s][f], let da = target[f] else { return nil }
        return (sa, da)
    }

    /// ORs into `m` the atoms `rule` admits for peer class `c` seen at
    /// `address`, towards destination class `d` (where named ports resolve).
    func admit(_ rule: Rule, peer c: Int, at address: IPAddress, destination d: Int, into m: inout [UInt64]) {
        if !rule.peers.isEmpty {
            let hit = rule.peers.contains { p in
                switch p {
                case .selector(let id): picked[c * peerWords + id >> 6] & (1 << UInt64(id & 63)) != 0
                case .block(let b): b.contains(address)
                }
            }
            if !hit { return }
        }
        for w in 0..<words { m[w] |= rule.fixed.words[w] }
        for id in rule.named {
            let a = namedAtom[d * namedCount + id]
            if a >= 0 { m[Int(a) >> 6] |= 1 << UInt64(a & 63) }
        }
    }
}
