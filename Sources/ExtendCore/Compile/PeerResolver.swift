/// What a rule's peers stand for as IP sets, per address family.
///
/// Addresses live once per atom: the workloads of one namespace that one pod
/// selector picks (a `hash:net` set). A peer that can span namespaces, or a
/// rule with several selector peers, is a `list:set` of its atoms (as
/// weave-npc composes namespace selectors), so a host's set entries grow with
/// the distinct addresses and atoms it references, not with how many policies
/// reference them. Results are memoised, and each memo records what it was
/// built from, so that a change recomputes only what it touches
/// (`PeerResolver+Changes.swift`).
final class PeerResolver {
    /// The world every answer is computed from; updated in place by the incremental compiler.
    var world: World
    /// Every set resolved so far, by name: the current members of each.
    private(set) var sets: [String: IPSetSpec] = [:]

    var atoms: [AtomKey: String?] = [:]
    var namedAtoms: [NamedAtomKey: [PortSet]] = [:]
    var blocks: [BlockKey: [PortSet]] = [:]
    /// By target number (`targetIDs`), named-port target number (`namedIDs`).
    var targetCache: [Int: [PeerTarget]] = [:]
    var namedCache: [Int: [(port: Int, target: PeerTarget)]] = [:]

    // What each memo was built from.
    var atomKeysByNamespace: [String: Set<AtomKey>] = [:]
    var namedAtomKeysByNamespace: [String: Set<NamedAtomKey>] = [:]
    var targetsByAtom: [AtomKey: Set<Int>] = [:]
    var namedByNamedAtom: [NamedAtomKey: Set<Int>] = [:]
    var namedByBlock: [BlockKey: Set<Int>] = [:]
    /// Targets and named-port targets by number: a key holds a whole rule,
    /// too costly to hash once for every namespace it reaches.
    var targetIDs = Interner<TargetKey>()
    var namedIDs = Interner<NamedKey>()
    var namespaceSelections = NamespaceSelections()

    /// Namespaces a peer reaches (memoised per selector).
    func namespaces(for nsSel: LabelSelector?, policyNamespace: String) -> [String] {
        namespaceSelections.namespaces(for: nsSel, policyNamespace: policyNamespace, in: selection)
    }

    struct PortSet: Hashable {
        var port: Int
        var name: String
    }

    struct AtomKey: Hashable {
        var namespace: String
        var pods: LabelSelector
        var family: AddressFamily
    }

    struct NamedAtomKey: Hashable {
        var atom: AtomKey
        var name: String
        var proto: Proto
    }

    struct BlockKey: Hashable {
        var block: NetworkPolicy.IPBlock
        var family: AddressFamily
        var name: String
        var proto: Proto
    }

    struct TargetKey: Hashable {
        var namespace: String
        var rule: NetworkPolicy.Rule
        var family: AddressFamily
    }

    struct NamedKey: Hashable {
        var target: TargetKey
        var name: String
        var proto: Proto
    }

    init(world: World) { self.world = world }

    var selection: Selection { Selection(world: world) }

    func spec(_ name: String) -> IPSetSpec? { sets[name] }

    /// What each set held before the batch of changes under way, for the sets
    /// that changed (nil between batches).
    var journal: [String: IPSetSpec]?

    func store(_ s: IPSetSpec) {
        if journal != nil, let old = sets[s.name], journal?[s.name] == nil, !old.sameContent(as: s) { journal?[s.name] = old }
        sets[s.name] = s
    }

    /// One target per rule when the rule admits every peer (no set); else one
    /// for all selector peers together and one per ipBlock, because an
    /// ipBlock's `except` must narrow only that peer. With the target's
    /// number, which the compiler records its policy under.
    func targets(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily) -> (id: Int, targets: [PeerTarget]) {
        let key = TargetKey(namespace: policyNamespace, rule: rule, family: f)
        let me = targetIDs.id(key)
        if let hit = targetCache[me] { return (me, hit) }
        let out = resolveTargets(key, me)
        targetCache[me] = out
        return (me, out)
    }

    private func resolveTargets(_ key: TargetKey, _ me: Int) -> [PeerTarget] {
        let rule = key.rule, f = key.family
        if rule.allowsAllPeers { return [PeerTarget(set: nil)] }
        var out: [PeerTarget] = []
        var group = Group()
        for peer in rule.peers {
            guard case .workloads(let pod, let nsSel) = peer else { continue }
            let pods = pod ?? .everything
            group.define(Self.definition(pods, nsSel, key.namespace), spans: nsSel != nil)
            for ns in namespaces(for: nsSel, policyNamespace: key.namespace) {
                let a = AtomKey(namespace: ns, pods: pods, family: f)
                targetsByAtom[a, default: []].insert(me)
                if let name = atom(a) { group.add(name) }
            }
        }
        if let t = group.target(family: f, kind: "peers", store: store) { out.append(t) }
        for peer in rule.peers {
            if case .ipBlock(let b) = peer, let m = PeerResolver.members(of: b, family: f) {
                let set = IPSetSpec.make(family: f, members: m)
                store(set)
                out.append(PeerTarget(set: set.name))
            }
        }
        return out
    }

    /// The atom's set name; nil when it holds no address of its family.
    func atom(_ key: AtomKey) -> String? {
        if let hit = atoms[key] { return hit }
        let set = computeAtom(key)
        if let set { store(set) }
        atoms[key] = .some(set?.name)
        atomKeysByNamespace[key.namespace, default: []].insert(key)
        return set?.name
    }

    func computeAtom(_ key: AtomKey) -> IPSetSpec? {
        var members: [SetMember] = []
        let ws = world.workloads(in: key.namespace)
        for i in selection.indices(key.pods, in: key.namespace) {
            for a in ws[i].addresses where a.family == key.family { members.append(SetMember(CIDR(host: a))) }
        }
        guard !members.isEmpty else { return nil }
        return IPSetSpec(name: Naming.setName("atom\n\(key.family.rawValue)\n\(key.namespace)\n\(key.pods.canonical)"),
                         family: key.family, members: Self.sortedUnique(members))
    }

    /// "ipBlock defines policy on a particular IPBlock": the cidr as set
    /// entries (a /0 as its two halves) and each `except` inside it as a
    /// nomatch entry. nil when the block has nothing left in this family.
    static func members(of b: NetworkPolicy.IPBlock, family f: AddressFamily) -> [SetMember]? {
        guard b.cidr.family == f else { return nil }
        let excepts = b.except.filter { b.cidr.contains($0) }
        if excepts.contains(where: { $0.prefix <= b.cidr.prefix }) { return nil }
        return b.cidr.splitForHashNet.map { SetMember($0) } + excepts.map { SetMember($0, nomatch: true) }
    }

    /// Egress to a named port: destinations grouped by the number the name
    /// resolves to on each, since "the port name is resolved on each pod".
    func destinationsByPort(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily,
                            name: String, proto: Proto) -> (id: Int, targets: [(port: Int, target: PeerTarget)]) {
        let key = NamedKey(target: TargetKey(namespace: policyNamespace, rule: rule, family: f), name: name, proto: proto)
        let me = namedIDs.id(key)
        if let hit = namedCache[me] { return (me, hit) }
        let out = resolveDestinationsByPort(key, me)
        namedCache[me] = out
        return (me, out)
    }

    private func resolveDestinationsByPort(_ key: NamedKey, _ me: Int) -> [(port: Int, target: PeerTarget)] {
        let rule = key.target.rule, f = key.target.family
        // The group of every port stands for the whole rule: its name stays
        // put as workloads and their ports come and go.
        var whole = Group()
        var groups: [Int: Group] = [:]
        func addAtoms(_ ns: String, _ pods: LabelSelector) {
            let a = NamedAtomKey(atom: AtomKey(namespace: ns, pods: pods, family: f), name: key.name, proto: key.proto)
            namedByNamedAtom[a, default: []].insert(me)
            for p in namedAtom(a) { groups[p.port, default: Group()].add(p.name) }
        }
        if rule.allowsAllPeers {
            whole.define("everyone", spans: true)
            for ns in world.namespaceNames { addAtoms(ns, .everything) }
        }
        for peer in rule.peers {
            switch peer {
            case .workloads(let pod, let nsSel):
                let pods = pod ?? .everything
                whole.define(Self.definition(pods, nsSel, key.target.namespace), spans: nsSel != nil)
                for ns in namespaces(for: nsSel, policyNamespace: key.target.namespace) { addAtoms(ns, pods) }
            case .ipBlock(let b):
                // Through an ipBlock, the workloads whose addresses lie in the block.
                whole.define("ipBlock \(Self.blockText(b))", spans: true)
                let bk = BlockKey(block: b, family: f, name: key.name, proto: key.proto)
                namedByBlock[bk, default: []].insert(me)
                for p in block(bk) { groups[p.port, default: Group()].add(p.name) }
            }
        }
        return groups.keys.sorted().compactMap { port in
            guard var g = groups[port] else { return nil }
            g.definitions = whole.definitions
            g.spans = whole.spans
            return g.target(family: f, kind: "port \(key.name)/\(key.proto.rawValue)=\(port)", store: store).map { (port, $0) }
        }
    }

    /// What a selector peer stands for, in list names.
    private static func definition(_ pods: LabelSelector, _ nsSel: LabelSelector?, _ policyNamespace: String) -> String {
        nsSel.map { "namespaces \($0.canonical) pods \(pods.canonical)" } ?? "namespace \(policyNamespace) pods \(pods.canonical)"
    }

    private static func blockText(_ b: NetworkPolicy.IPBlock) -> String {
        "\(b.cidr) except \(b.except.map(\.description).sorted().joined(separator: ","))"
    }

    /// Stores per-port sets; their ports and names.
    func storing(_ sets: [(port: Int, set: IPSetSpec)]) -> [PortSet] {
        for s in sets { store(s.set) }
        return sets.map { PortSet(port: $0.port, name: $0.set.name) }
    }

    /// An atom split by the number a port name resolves to on each of its workloads.
    func namedAtom(_ key: NamedAtomKey) -> [PortSet] {
        if let hit = namedAtoms[key] { return hit }
        let out = storing(computeNamedAtom(key))
        namedAtoms[key] = out
        namedAtomKeysByNamespace[key.atom.namespace, default: []].insert(key)
        return out
    }

    func computeNamedAtom(_ key: NamedAtomKey) -> [(port: Int, set: IPSetSpec)] {
        var byPort: [Int: [SetMember]] = [:]
        let ns = key.atom.namespace, f = key.atom.family
        let ws = world.workloads(in: ns)
        for i in selection.indices(key.atom.pods, in: ns) {
            let w = ws[i]
            guard let n = w.resolve(portName: key.name, proto: key.proto) else { continue }
            for a in w.addresses where a.family == f { byPort[n, default: []].append(SetMember(CIDR(host: a))) }
        }
        return byPort.keys.sorted().compactMap { port in
            guard let m = byPort[port] else { return nil }
            return (port, IPSetSpec(name: Naming.setName("atom\n\(f.rawValue)\n\(ns)\n\(key.atom.pods.canonical)\nport \(key.name)/\(key.proto.rawValue)=\(port)"),
                                    family: f, members: Self.sortedUnique(m)))
        }
    }

    /// The workloads' addresses inside an ipBlock, split by the number a port name resolves to.
    func block(_ key: BlockKey) -> [PortSet] {
        if let hit = blocks[key] { return hit }
        let out = storing(computeBlock(key))
        blocks[key] = out
        return out
    }

    func computeBlock(_ key: BlockKey) -> [(port: Int, set: IPSetSpec)] {
        var byPort: [Int: [SetMember]] = [:]
        let b = key.block, f = key.family
        if b.cidr.family == f {
            world.forEachWorkload { w in
                guard let n = w.resolve(portName: key.name, proto: key.proto) else { return }
                for a in w.addresses where a.family == f && b.contains(a) { byPort[n, default: []].append(SetMember(CIDR(host: a))) }
            }
        }
        let blockText = Self.blockText(b)
        return byPort.keys.sorted().compactMap { port in
            guard let m = byPort[port] else { return nil }
            return (port, IPSetSpec(name: Naming.setName("block\n\(f.rawValue)\n\(blockText)\nport \(key.name)/\(key.proto.rawValue)=\(port)"),
                                    family: f, members: Self.sortedUnique(m)))
        }
    }

    static func sortedUnique(_ m: [SetMember]) -> [SetMember] {
        var s = m.sorted()
        var w = 0
        for r in s.indices where r == 0 || s[r] != s[w - 1] {
            s[w] = s[r]
            w += 1
        }
        s.removeLast(s.count - w)
        return s
    }

    /// The atoms one rule's peers pick, and what the group stands for.
    struct Group {
        var atoms: Set<String> = []
        var definitions: Set<String> = []
        var spans = false

        mutating func define(_ d: String, spans s: Bool) {
            definitions.insert(d)
            spans = spans || s
        }

        mutating func add(_ name: String) { atoms.insert(name) }

        /// nil when no atom holds an address. One atom of the policy's own
        /// namespace is matched directly; anything that can span namespaces is
        /// a list (even of one), so that it keeps its name as namespaces come and go.
        func target(family f: AddressFamily, kind: String, store: (IPSetSpec) -> Void) -> PeerTarget? {
            guard !atoms.isEmpty else { return nil }
            let members = atoms.sorted()
            if !spans && definitions.count == 1 && members.count == 1 {
                return PeerTarget(set: members[0])
            }
            let list = IPSetSpec(list: Naming.setName("list\n\(f.rawValue)\n\(kind)\n" + definitions.sorted().joined(separator: "\n")),
                                 family: f, children: members)
            store(list)
            return PeerTarget(set: list.name)
        }
    }
}

struct PeerTarget: Hashable {
    /// The set a rule matches (a list brings its members, from the set
    /// table, to each host that holds it); nil: every peer (no set match).
    var set: String?
}
