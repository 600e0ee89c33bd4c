/// What a rule's peers stand for as set members, per address family.
/// Results are memoised: the same peer in many policies and many hosts is
/// resolved once, which keeps compile time flat in the number of hosts.
final class PeerResolver {
    private let selection: Selection
    private var workloadCache: [WorkloadKey: [Workload]] = [:]
    private var allWorkloads: [Workload]?
    private var targetCache: [TargetKey: [PeerTarget]] = [:]
    private var namedCache: [NamedKey: [(Int, IPSetSpec)]] = [:]

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

    private struct WorkloadKey: Hashable {
        var namespace: String
        var pod: LabelSelector?
        var ns: LabelSelector?
    }

    /// One target per rule when the rule admits every peer (no set); else one
    /// set for all selector peers together and one per ipBlock, because an
    /// ipBlock's `except` must narrow only that peer.
    func targets(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily) -> [PeerTarget] {
        let key = TargetKey(namespace: policyNamespace, rule: rule, family: f)
        if let hit = targetCache[key] { return hit }
        let out = resolveTargets(rule, policyNamespace: policyNamespace, family: f)
        targetCache[key] = out
        return out
    }

    private func resolveTargets(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily) -> [PeerTarget] {
        if rule.allowsAllPeers { return [PeerTarget(set: nil)] }
        var out: [PeerTarget] = []
        var selected: Set<IPAddress> = []
        for peer in rule.peers {
            if case .workloads(let pod, let ns) = peer {
                for w in workloads(pod, ns, policyNamespace) { selected.formUnion(w.addresses(f)) }
            }
        }
        if !selected.isEmpty {
            out.append(PeerTarget(set: .make(family: f, members: selected.map { SetMember(CIDR(host: $0)) })))
        }
        for peer in rule.peers {
            if case .ipBlock(let b) = peer, let m = PeerResolver.members(of: b, family: f) {
                out.append(PeerTarget(set: .make(family: f, members: m)))
            }
        }
        return out
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
                            name: String, proto: Proto) -> [(Int, IPSetSpec)] {
        let key = NamedKey(target: TargetKey(namespace: policyNamespace, rule: rule, family: f), name: name, proto: proto)
        if let hit = namedCache[key] { return hit }
        let out = resolveDestinationsByPort(rule, policyNamespace: policyNamespace, family: f, name: name, proto: proto)
        namedCache[key] = out
        return out
    }

    private func resolveDestinationsByPort(_ rule: NetworkPolicy.Rule, policyNamespace: String, family f: AddressFamily,
                                           name: String, proto: Proto) -> [(Int, IPSetSpec)] {
        // Each destination with the addresses through which this rule reaches it
        // (through an ipBlock, only the addresses inside the block).
        var reached: [(Workload, [IPAddress])] = []
        if rule.allowsAllPeers {
            reached = everyWorkload().map { ($0, $0.addresses(f)) }
        } else {
            for peer in rule.peers {
                switch peer {
                case .workloads(let pod, let ns):
                    reached += workloads(pod, ns, policyNamespace).map { ($0, $0.addresses(f)) }
                case .ipBlock(let b):
                    reached += everyWorkload().compactMap { w in
                        let inside = w.addresses(f).filter(b.contains)
                        return inside.isEmpty ? nil : (w, inside)
                    }
                }
            }
        }
        var byPort: [Int: Set<IPAddress>] = [:]
        for (w, addrs) in reached {
            guard let n = w.resolve(portName: name, proto: proto) else { continue }
            byPort[n, default: []].formUnion(addrs)
        }
        return byPort.keys.sorted().compactMap { port in
            guard let addrs = byPort[port], !addrs.isEmpty else { return nil }
            return (port, IPSetSpec.make(family: f, members: addrs.map { SetMember(CIDR(host: $0)) }))
        }
    }

    private func workloads(_ pod: LabelSelector?, _ ns: LabelSelector?, _ policyNamespace: String) -> [Workload] {
        let key = WorkloadKey(namespace: policyNamespace, pod: pod, ns: ns)
        if let hit = workloadCache[key] { return hit }
        let ws = selection.workloads(podSelector: pod, namespaceSelector: ns, policyNamespace: policyNamespace)
        workloadCache[key] = ws
        return ws
    }

    private func everyWorkload() -> [Workload] {
        if let all = allWorkloads { return all }
        let all = selection.world.allWorkloads
        allWorkloads = all
        return all
    }
}

struct PeerTarget {
    /// nil: every peer (no set match).
    var set: IPSetSpec?
}
