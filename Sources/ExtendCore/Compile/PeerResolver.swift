/// What a rule's peers stand for as IP sets, per address family.
///
/// Addresses live once per atom: the workloads of one namespace that one pod
/// selector picks (a `hash:net` set). A peer that can span namespaces, or a
/// rule with several selector peers, is a `list:set` of its atoms (as
/// weave-npc composes namespace selectors), so a host's set entries grow with
/// the distinct addresses and atoms it references, not with how many policies
/// reference them. Results are memoised: the same peer in many policies and
/// many hosts is resolved once, which keeps compile time flat in the number of hosts.
final class PeerResolver {
    private let selection: Selection
    private var atomCache: [AtomKey: IPSetSpec?] = [:]
    private var namedAtomCache: [NamedAtomKey: [(port: Int, set: IPSetSpec)]] = [:]
    private var blockCache: [BlockKey: [(port: Int, set: IPSetSpec)]] = [:]
    private var targetCache: [TargetKey: [PeerTarget]] = [:]
    private var namedCache: [NamedKey: [(port: Int, target: PeerTarget)]] = [:]

    private struct AtomKey: Hashable {
        var namespace: String
        var pods: LabelSelector
        var family: AddressFamily
    }

    private struct NamedAtomKey: Hashable {
        var atom: AtomKey
        var name: String
        var proto: Proto
    }

    private struct BlockKey: Hashable {
        var block: NetworkPolicy.IPBlock
        var family: AddressFamily
        var name: String
        var proto: Proto
    }

    private struct TargetKey: Hashable {
        var namespace: String
        var rule: NetworkPolicy.Rule
        var family: AddressFamily
    }

    private struct NamedKey: Hashable {
        var target: TargetKey
        var name: String
        var proto: Proto
    }

    init(selection: Selection) { self.selection = selection }

    private var world: World { selection.world }

    /// One target per rule when the rule admits every peer (no set); else one
    /// for all selector peers together and one per ipBlock, because an
    /// ipBlock's `except` must narrow only that peer.
    func targets(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily) -> [PeerTarget] {
        let key = TargetKey(namespace: policyNamespace, rule: rule, family: f)
        if let hit = targetCache[key] { return hit }
        let out = resolveTargets(rule, policyNamespace: policyNamespace, family: f)
        targetCache[key] = out
        return out
    }

    private func resolveTargets(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily) -> [PeerTarget] {
        if rule.allowsAllPeers { return [PeerTarget(set: nil, sets: [])] }
        var out: [PeerTarget] = []
        var group = Group()
        for peer in rule.peers {
            guard case .workloads(let pod, let nsSel) = peer else { continue }
            let pods = pod ?? .everything
            group.define(Self.definition(pods, nsSel, policyNamespace), spans: nsSel != nil)
            for ns in selection.namespaces(for: nsSel, policyNamespace: policyNamespace) {
                if let a = atom(ns, pods, f) { group.add(a) }
            }
        }
        if let t = group.target(family: f, kind: "peers") { out.append(t) }
        for peer in rule.peers {
            if case .ipBlock(let b) = peer, let m = PeerResolver.members(of: b, family: f) {
                let set = IPSetSpec.make(family: f, members: m)
                out.append(PeerTarget(set: set.name, sets: [set]))
            }
        }
        return out
    }

    /// The atom (namespace × pod selector) in one family; nil when it holds no address of that family.
    private func atom(_ ns: String, _ pods: LabelSelector, _ f: AddressFamily) -> IPSetSpec? {
        let key = AtomKey(namespace: ns, pods: pods, family: f)
        if let hit = atomCache[key] { return hit }
        var members: [SetMember] = []
        let ws = world.workloads(in: ns)
        for i in selection.indices(pods, in: ns) {
            for a in ws[i].addresses where a.family == f { members.append(SetMember(CIDR(host: a))) }
        }
        let set = members.isEmpty ? nil : IPSetSpec(
            name: Naming.setName("atom\n\(f.rawValue)\n\(ns)\n\(pods.canonical)"), family: f, members: Self.sortedUnique(members))
        atomCache[key] = .some(set)
        return set
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
                            name: String, proto: Proto) -> [(port: Int, target: PeerTarget)] {
        let key = NamedKey(target: TargetKey(namespace: policyNamespace, rule: rule, family: f), name: name, proto: proto)
        if let hit = namedCache[key] { return hit }
        let out = resolveDestinationsByPort(rule, policyNamespace: policyNamespace, family: f, name: name, proto: proto)
        namedCache[key] = out
        return out
    }

    private func resolveDestinationsByPort(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily,
                                           name: String, proto: Proto) -> [(port: Int, target: PeerTarget)] {
        // The group of every port stands for the whole rule: its name stays
        // put as workloads and their ports come and go.
        var whole = Group()
        var groups: [Int: Group] = [:]
        func addAtoms(_ ns: String, _ pods: LabelSelector) {
            for (port, set) in namedAtoms(ns, pods, f, name, proto) { groups[port, default: Group()].add(set) }
        }
        if rule.allowsAllPeers {
            whole.define("everyone", spans: true)
            for ns in world.namespaceNames { addAtoms(ns, .everything) }
        }
        for peer in rule.peers {
            switch peer {
            case .workloads(let pod, let nsSel):
                let pods = pod ?? .everything
                whole.define(Self.definition(pods, nsSel, policyNamespace), spans: nsSel != nil)
                for ns in selection.namespaces(for: nsSel, policyNamespace: policyNamespace) { addAtoms(ns, pods) }
            case .ipBlock(let b):
                // Through an ipBlock, the workloads whose addresses lie in the block.
                whole.define("ipBlock \(Self.blockText(b))", spans: true)
                for (port, set) in blockDestinations(b, f, name, proto) { groups[port, default: Group()].add(set) }
            }
        }
        return groups.keys.sorted().compactMap { port in
            guard var g = groups[port] else { return nil }
            g.definitions = whole.definitions
            g.spans = whole.spans
            return g.target(family: f, kind: "port \(name)/\(proto.rawValue)=\(port)").map { (port, $0) }
        }
    }

    /// What a selector peer stands for, in list names.
    private static func definition(_ pods: LabelSelector, _ nsSel: LabelSelector?, _ policyNamespace: String) -> String {
        nsSel.map { "namespaces \($0.canonical) pods \(pods.canonical)" } ?? "namespace \(policyNamespace) pods \(pods.canonical)"
    }

    private static func blockText(_ b: NetworkPolicy.IPBlock) -> String {
        "\(b.cidr) except \(b.except.map(\.description).sorted().joined(separator: ","))"
    }

    /// An atom split by the number a port name resolves to on each of its workloads.
    private func namedAtoms(_ ns: String, _ pods: LabelSelector, _ f: AddressFamily, _ name: String, _ proto: Proto) -> [(port: Int, set: IPSetSpec)] {
        let key = NamedAtomKey(atom: AtomKey(namespace: ns, pods: pods, family: f), name: name, proto: proto)
        if let hit = namedAtomCache[key] { return hit }
        var byPort: [Int: [SetMember]] = [:]
        let ws = world.workloads(in: ns)
        for i in selection.indices(pods, in: ns) {
            let w = ws[i]
            guard let n = w.resolve(portName: name, proto: proto) else { continue }
            for a in w.addresses where a.family == f { byPort[n, default: []].append(SetMember(CIDR(host: a))) }
        }
        let out = byPort.keys.sorted().compactMap { port -> (port: Int, set: IPSetSpec)? in
            guard let m = byPort[port] else { return nil }
            return (port, IPSetSpec(name: Naming.setName("atom\n\(f.rawValue)\n\(ns)\n\(pods.canonical)\nport \(name)/\(proto.rawValue)=\(port)"),
                                    family: f, members: Self.sortedUnique(m)))
        }
        namedAtomCache[key] = out
        return out
    }

    /// The workloads' addresses inside an ipBlock, split by the number a port name resolves to.
    private func blockDestinations(_ b: NetworkPolicy.IPBlock, _ f: AddressFamily, _ name: String, _ proto: Proto) -> [(port: Int, set: IPSetSpec)] {
        let key = BlockKey(block: b, family: f, name: name, proto: proto)
        if let hit = blockCache[key] { return hit }
        var byPort: [Int: [SetMember]] = [:]
        if b.cidr.family == f {
            world.forEachWorkload { w in
                guard let n = w.resolve(portName: name, proto: proto) else { return }
                for a in w.addresses where a.family == f && b.contains(a) { byPort[n, default: []].append(SetMember(CIDR(host: a))) }
            }
        }
        let blockText = Self.blockText(b)
        let out = byPort.keys.sorted().compactMap { port -> (port: Int, set: IPSetSpec)? in
            guard let m = byPort[port] else { return nil }
            return (port, IPSetSpec(name: Naming.setName("block\n\(f.rawValue)\n\(blockText)\nport \(name)/\(proto.rawValue)=\(port)"),
                                    family: f, members: Self.sortedUnique(m)))
        }
        blockCache[key] = out
        return out
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
    private struct Group {
        var atoms: [String: IPSetSpec] = [:]
        var definitions: Set<String> = []
        var spans = false

        mutating func define(_ d: String, spans s: Bool) {
            definitions.insert(d)
            spans = spans || s
        }

        mutating func add(_ set: IPSetSpec) { atoms[set.name] = set }

        /// nil when no atom holds an address. One atom of the policy's own
        /// namespace is matched directly; anything that can span namespaces is
        /// a list (even of one), so that it keeps its name as namespaces come and go.
        func target(family f: AddressFamily, kind: String) -> PeerTarget? {
            guard !atoms.isEmpty else { return nil }
            let members = atoms.values.sorted { $0.name < $1.name }
            if !spans && definitions.count == 1 && members.count == 1 {
                return PeerTarget(set: members[0].name, sets: members)
            }
            let list = IPSetSpec(list: Naming.setName("list\n\(f.rawValue)\n\(kind)\n" + definitions.sorted().joined(separator: "\n")),
                                 family: f, children: members.map(\.name))
            return PeerTarget(set: list.name, sets: [list] + members)
        }
    }
}

struct PeerTarget {
    /// The set a rule matches; nil: every peer (no set match).
    var set: String?
    /// That set and, for a list, its members: everything the host must hold for it.
    var sets: [IPSetSpec]
}
