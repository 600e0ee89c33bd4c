/// The findings `extend lint` adds to the warnings every command gives:
/// ipBlocks that cover pod or host addresses, and namespace selectors that
/// need labels no namespace carries.
public struct AnalysisLint: Sendable {
    public let world: World

    public init(world: World) { self.world = world }

    public func findings() -> [Diagnostic] {
        var out: [Diagnostic] = []
        let index = AddressIndex(world)
        let selection = Selection(world: world)
        var covered: [NetworkPolicy.IPBlock: (pods: Int, hosts: Int)] = [:]
        var reported = Set<String>()
        for p in world.policies {
            let at = p.origin ?? "networkpolicy \(p.id)"
            for d in Direction.allCases where p.policyTypes.contains(d) {
                let word = d == .ingress ? "ingress" : "egress"
                for (i, rule) in p.rules(d).enumerated() {
                    for peer in rule.peers {
                        switch peer {
                        case .ipBlock(let b):
                            if covered[b] == nil {
                                var n = (pods: 0, hosts: 0)
                                index.forEach(in: b.cidr) { e in
                                    if b.contains(e.address) {
                                        if e.owner.hasPrefix("host") { n.hosts += 1 } else { n.pods += 1 }
                                    }
                                    return true
                                }
                                covered[b] = n
                            }
                            if let n = covered[b], n.pods + n.hosts > 0 {
                                out.append(.warning(at, code: "ipblock-covers-workloads",
                                    "policy \(p.id): \(word) rule #\(i + 1) ipBlock \(b.cidr) covers \(n.pods) pod and \(n.hosts) host address(es); Kubernetes leaves it to the network plugin whether an ipBlock matches pod addresses (it is meant for addresses outside the cluster): netpol-extend and explain match them, a plugin may not"))
                            }
                        case .workloads(_, let nsSel?):
                            guard selection.namespaces(for: nsSel, policyNamespace: p.namespace).isEmpty else { continue }
                            for missing in missingLabels(nsSel) where reported.insert("\(p.id) \(missing)").inserted {
                                out.append(.warning(at, code: "namespace-label-missing",
                                    "policy \(p.id): \(word) rule #\(i + 1) namespaceSelector \(nsSel.canonical) needs \(missing), which no namespace carries"))
                            }
                        case .workloads:
                            continue
                        }
                    }
                }
            }
        }
        return out
    }

    /// The label pairs (or keys) a namespace selector requires that no namespace has.
    private func missingLabels(_ sel: LabelSelector) -> [String] {
        let all = world.namespaceNames.compactMap { world.namespaces[$0]?.labels }
        var out: [String] = []
        for (k, v) in sel.matchLabels.sorted(by: { $0.key < $1.key }) where !all.contains(where: { $0[k] == v }) {
            out.append("\(k)=\(v)")
        }
        for r in sel.matchExpressions {
            switch r.op {
            case .in where !all.contains(where: { $0[r.key].map(r.values.contains) ?? false }):
                out.append("\(r.key) in (\(r.values.joined(separator: ", ")))")
            case .exists where !all.contains(where: { $0[r.key] != nil }):
                out.append("a label \(r.key)")
            default:
                continue
            }
        }
        return out
    }
}
