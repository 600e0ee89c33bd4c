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

    /// The atoms of one selector peer, whichever policy names it: many
    /// policies in many namespaces name the same peer (`env: live` ×
    /// `app: web`), and it reaches many namespaces.
    var spans: [SpanKey: [String]] = [:]
    var namedSpans: [NamedSpanKey: [PortSet]] = [:]

    // What each memo was built from.
    var atomKeysByNamespace: [String: Set<AtomKey>] = [:]
    var namedAtomKeysByNamespace: [String: Set<NamedAtomKey>] = [:]
    var spansByAtom: [AtomKey: Set<SpanKey>] = [:]
    var namedSpansByNamedAtom: [NamedAtomKey: Set<NamedSpanKey>] = [:]
    /// Named-port peers that passed over a namespace where no workload has
    /// the port, by the port: a workload gaining it rebuilds them.
    var namedSpansSkipping: [NamespaceMembers.PortName: Set<NamedSpanKey>] = [:]
    var targetsBySpan: [SpanKey: Set<Int>] = [:]
    var namedByNamedSpan: [NamedSpanKey: Set<Int>] = [:]
    var namedByBlock: [BlockKey: Set<Int>] = [:]
    /// Targets and named-port targets by number: a key holds a whole rule,
    /// too costly to hash once for every namespace it reaches.
    var targetIDs = Interner<TargetKey>()
    var namedIDs = Interner<NamedKey>()
    var namespaceSelections = NamespaceSelections()
    /// Built when a block is first resolved; kept up to date as workloads change.
    private var builtAddressIndex: AddressIndex?
    var addressIndex: AddressIndex {
        get {
            if let i = builtAddressIndex { return i }
            let i = AddressIndex(world)
            builtAddressIndex = i
            return i
        }
        _modify {
            if builtAddressIndex == nil { builtAddressIndex = AddressIndex(world) }
            yield &builtAddressIndex!
        }
    }
    /// Updates the address index, if built, for a workload that changed.
    func indexChanged(old: Workload?, new: Workload?) {
        guard builtAddressIndex != nil else { return }
        if let old { builtAddressIndex?.remove(old) }
        if let new { builtAddressIndex?.insert(new) }
    }
    /// Namespaces came or went: the index is built again when next needed.
    func forgetAddressIndex() { builtAddressIndex = nil }

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

    /// A selector peer: a namespace selector (or, absent, the policy's own
    /// namespace) and a pod selector, in one family.
    struct SpanKey: Hashable {
        var namespaces: LabelSelector?
        /// The policy's namespace, only when there is no namespace selector.
        var own: String?
        var pods: LabelSelector
        var family: AddressFamily

        init(_ pods: LabelSelector, _ nsSel: LabelSelector?, policyNamespace: String?, family: AddressFamily) {
            namespaces = nsSel
            own = nsSel == nil ? policyNamespace : nil
            self.pods = pods
            self.family = family
        }

        /// Every workload of every namespace (a rule without peers).
        static func everyone(_ f: AddressFamily) -> SpanKey { SpanKey(.everything, nil, policyNamespace: nil, family: f) }
        var isEveryone: Bool { namespaces == nil && own == nil }
    }

    /// The namespaces a peer reaches.
    func namespaces(of span: SpanKey) -> [String] {
        span.isEveryone ? world.namespaceNames : namespaces(for: span.namespaces, policyNamespace: span.own ?? "")
    }

    struct NamedSpanKey: Hashable {
        var span: SpanKey
        var name: String
        var proto: Proto
    }

    struct BlockKey: Hashable {
        var block: NetworkPolicy.IPBlock
        var family: AddressFamily
        var name: String
        var proto: Proto
    }

    /// What a rule's peers stand for depends on its peers alone (and on the
    /// policy's namespace only where a peer has no namespace selector): rules
    /// of many policies, with other ports, in other namespaces, share one key,
    /// and one answer. A peer reaching hundreds of namespaces is then listed
    /// once, not once per policy that names it.
    struct TargetKey: Hashable {
        var namespace: String
        /// The rule's peers (its ports left out).
        var rule: NetworkPolicy.Rule
        var family: AddressFamily

        init(namespace: String, rule: NetworkPolicy.Rule, family: AddressFamily) {
            let usesOwn = rule.peers.contains { if case .workloads(_, nil) = $0 { return true }; return false }
            self.namespace = usesOwn ? namespace : ""
            self.rule = NetworkPolicy.Rule(peers: rule.peers)
            self.family = family
        }
    }

    struct NamedKey: Hashable {
        var target: TargetKey
        var name: String
        var proto: Proto
    }

    init(world: World) { self.world = world }

    var selection: Selection { Selection(world: world) }

    func spec(_ name: String) -> IPSetSpec? { sets[name] }

    var setCount: Int { sets.count }

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
            let span = SpanKey(pods, nsSel, policyNamespace: key.namespace, family: f)
            targetsBySpan[span, default: []].insert(me)
            group.add(atoms(of: span))
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

    /// The names of a peer's atoms that hold an address, sorted.
    func atoms(of span: SpanKey) -> [String] {
        if let hit = spans[span] { return hit }
        var out: [String] = []
        for ns in namespaces(of: span) {
            let a = AtomKey(namespace: ns, pods: span.pods, family: span.family)
            spansByAtom[a, default: []].insert(span)
            if let name = atom(a) { out.append(name) }
        }
        out.sort()
        spans[span] = out
        return out
    }

    /// A peer's atoms split by the number a port name resolves to, as (port, set) pairs sorted.
    func namedAtoms(of key: NamedSpanKey) -> [PortSet] {
        if let hit = namedSpans[key] { return hit }
        var out: [PortSet] = []
        var skipped = false
        for ns in namespaces(of: key.span) {
            // A peer reaching every namespace asks each for a port that few name:
            // where none does, there is no atom to make, look up or track.
            guard world.members[ns]?.hasNamedPort(key.name, key.proto) == true else {
                skipped = true
                continue
            }
            let a = NamedAtomKey(atom: AtomKey(namespace: ns, pods: key.span.pods, family: key.span.family), name: key.name, proto: key.proto)
            namedSpansByNamedAtom[a, default: []].insert(key)
            out += namedAtom(a)
        }
        if skipped { namedSpansSkipping[NamespaceMembers.PortName(name: key.name, proto: key.proto), default: []].insert(key) }
        out.sort { ($0.port, $0.name) < ($1.port, $1.name) }
        namedSpans[key] = out
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
        func addAtoms(_ span: SpanKey) {
            let k = NamedSpanKey(span: span, name: key.name, proto: key.proto)
            namedByNamedSpan[k, default: []].insert(me)
            var run: [String] = []
            var port: Int?
            // Sorted by port, then name: one run of names per port.
            for p in namedAtoms(of: k) {
                if p.port != port, let q = port { groups[q, default: Group()].add(run); run = [] }
                port = p.port
                run.append(p.name)
            }
            if let q = port { groups[q, default: Group()].add(run) }
        }
        if rule.allowsAllPeers {
            whole.define("everyone", spans: true)
            addAtoms(.everyone(f))
        }
        for peer in rule.peers {
            switch peer {
            case .workloads(let pod, let nsSel):
                let pods = pod ?? .everything
                whole.define(Self.definition(pods, nsSel, key.target.namespace), spans: nsSel != nil)
                addAtoms(SpanKey(pods, nsSel, policyNamespace: key.target.namespace, family: f))
            case .ipBlock(let b):
                // Through an ipBlock, the workloads whose addresses lie in the block.
                whole.define("ipBlock \(Self.blockText(b))", spans: true)
                let bk = BlockKey(block: b, family: f, name: key.name, proto: key.proto)
                namedByBlock[bk, default: []].insert(me)
                for p in block(bk) { groups[p.port, default: Group()].add([p.name]) }
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
        for i in selection.indices(key.atom.pods, in: ns, namedPort: key.name, proto: key.proto) {
            // Read in place: a copy of the workload retains every field of it.
            guard let n = ws[i].resolve(portName: key.name, proto: key.proto) else { continue }
            for a in ws[i].addresses where a.family == f { byPort[n, default: []].append(SetMember(CIDR(host: a))) }
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
            addressIndex.forEach(in: b.cidr, portName: key.name, proto: key.proto) { address, n in
                if b.contains(address) { byPort[n, default: []].append(SetMember(CIDR(host: address))) }
            }
        }
        return blockSets(key, byPort.mapValues(Self.sortedUnique))
    }

    /// A block's per-port sets from their sorted members, by port.
    func blockSets(_ key: BlockKey, _ byPort: [Int: [SetMember]]) -> [(port: Int, set: IPSetSpec)] {
        let blockText = Self.blockText(key.block), f = key.family
        return byPort.keys.sorted().compactMap { port in
            guard let m = byPort[port], !m.isEmpty else { return nil }
            return (port, IPSetSpec(name: Naming.setName("block\n\(f.rawValue)\n\(blockText)\nport \(key.name)/\(key.proto.rawValue)=\(port)"),
                                    family: f, members: m))
        }
    }

    /// A block's sets after one workload changed from `old` to `new`: only
    /// their addresses move (recomputing scanned every workload in the block,
    /// and a block such as 10.0.0.0/8 holds the whole cluster). The address
    /// index already holds `new`.
    func updatedBlock(_ key: BlockKey, _ before: [PortSet], old: Workload?, new: Workload?) -> [(port: Int, set: IPSetSpec)] {
        var byPort: [Int: [SetMember]] = [:]
        for p in before { byPort[p.port] = spec(p.name)?.members ?? [] }
        let b = key.block, f = key.family
        func inBlock(_ w: Workload?) -> (port: Int, members: [SetMember])? {
            guard let w, let port = w.resolve(portName: key.name, proto: key.proto) else { return nil }
            return (port, w.addresses.filter { $0.family == f && b.contains($0) }.map { SetMember(CIDR(host: $0)) })
        }
        if let (port, members) = inBlock(old) {
            for m in members {
                // Another workload at the same address may still hold it there.
                var kept = false
                addressIndex.forEach(in: m.cidr) { e in
                    kept = e.resolve(portName: key.name, proto: key.proto) == port
                    return !kept
                }
                if !kept { byPort[port]?.removeSorted(m) }
            }
        }
        if let (port, members) = inBlock(new) {
            for m in members { byPort[port, default: []].insertSorted(m) }
        }
        return blockSets(key, byPort)
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
        /// Sorted runs of atom names, one per peer.
        var runs: [[String]] = []
        var definitions: Set<String> = []
        var spans = false

        mutating func define(_ d: String, spans s: Bool) {
            definitions.insert(d)
            spans = spans || s
        }

        mutating func add(_ sorted: [String]) { if !sorted.isEmpty { runs.append(sorted) } }

        /// Every atom once, sorted (most groups have one peer: its run as it
        /// is): the runs merged, two at a time.
        var atoms: [String] {
            guard var merged = runs.first else { return [] }
            for run in runs.dropFirst() { merged = Self.merge(merged, run) }
            return merged
        }

        /// Two sorted runs without duplicates as one.
        static func merge(_ a: [String], _ b: [String]) -> [String] {
            var out: [String] = []
            out.reserveCapacity(a.count + b.count)
            var i = 0, j = 0
            while i < a.count && j < b.count {
                if a[i] < b[j] { out.append(a[i]); i += 1 }
                else if b[j] < a[i] { out.append(b[j]); j += 1 }
                else { out.append(a[i]); i += 1; j += 1 }
            }
            out += a[i...]
            out += b[j...]
            return out
        }

        /// nil when no atom holds an address. One atom of the policy's own
        /// namespace is matched directly; anything that can span namespaces is
        /// a list (even of one), so that it keeps its name as namespaces come and go.
        func target(family f: AddressFamily, kind: String, store: (IPSetSpec) -> Void) -> PeerTarget? {
            let members = atoms
            guard !members.isEmpty else { return nil }
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

extension Array where Element == SetMember {
    /// Inserts into a sorted array, keeping it sorted and free of duplicates.
    mutating func insertSorted(_ m: SetMember) {
        let i = sortedIndex(m)
        if i == count || self[i] != m { insert(m, at: i) }
    }

    mutating func removeSorted(_ m: SetMember) {
        let i = sortedIndex(m)
        if i < count && self[i] == m { remove(at: i) }
    }

    private func sortedIndex(_ m: SetMember) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < m { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
