/// Warnings that catch likely mistakes. They never block anything.
public struct PolicyLint: Sendable {
    public let selection: Selection

    public init(world: World) { selection = Selection(world: world) }

    public func warnings() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for p in selection.world.policies {
            let at = p.origin ?? "networkpolicy \(p.id)"
            let targets = selection.targets(of: p)
            if targets.isEmpty {
                out.append(.warning(at, "policy \(p.id): podSelector \(p.podSelector.canonical) selects no pod or host in namespace \(p.namespace)"))
            }
            for d in Direction.allCases where p.policyTypes.contains(d) {
                let rules = p.rules(d)
                let word = d == .ingress ? "ingress" : "egress"
                if rules.count > 1, let i = rules.firstIndex(where: { $0.allowsAllPeers && $0.allowsAllPorts }) {
                    out.append(.warning(at, "policy \(p.id): \(word) rule #\(i + 1) admits all traffic, which makes the policy's other \(word) rules redundant"))
                }
                for (i, rule) in rules.enumerated() {
                    out += peerWarnings(p, rule, i, word, at)
                    out += namedPortWarnings(p, d, rule, i, word, targets, at)
                }
            }
        }
        return out.sorted()
    }

    private func peerWarnings(_ p: NetworkPolicy, _ rule: NetworkPolicy.Rule, _ i: Int, _ word: String, _ at: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (j, peer) in rule.peers.enumerated() {
            switch peer {
            case .workloads(let pod, let ns):
                if selection.workloads(podSelector: pod, namespaceSelector: ns, policyNamespace: p.namespace).isEmpty {
                    out.append(.warning(at, "policy \(p.id): \(word) rule #\(i + 1) peer #\(j + 1) (\(peer.summary)) selects nothing"))
                }
            case .ipBlock(let b):
                for e in b.except where !b.cidr.contains(e) {
                    out.append(.warning(at, "policy \(p.id): \(word) rule #\(i + 1) ipBlock except \(e) lies outside its cidr \(b.cidr) and has no effect"))
                }
            }
        }
        return out
    }

    private func namedPortWarnings(_ p: NetworkPolicy, _ d: Direction, _ rule: NetworkPolicy.Rule, _ i: Int,
                                   _ word: String, _ targets: [Workload], _ at: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // Named ports resolve on whoever receives the connection: the policy's
        // targets for ingress, the rule's destinations for egress.
        let receivers: [Workload] = d == .ingress ? targets : destinations(rule, p.namespace)
        for m in rule.ports {
            guard case .named(let name)? = m.port else { continue }
            if !receivers.contains(where: { $0.resolve(portName: name, proto: m.proto) != nil }) {
                out.append(.warning(at, "policy \(p.id): \(word) rule #\(i + 1) named port \"\(name)\"/\(m.proto.rawValue) resolves on no \(d == .ingress ? "selected target" : "destination"), so it admits nothing"))
            }
        }
        return out
    }

    private func destinations(_ rule: NetworkPolicy.Rule, _ ns: String) -> [Workload] {
        if rule.allowsAllPeers { return selection.world.allWorkloads }
        return rule.peers.flatMap { peer -> [Workload] in
            switch peer {
            case .workloads(let pod, let nsSel):
                return selection.workloads(podSelector: pod, namespaceSelector: nsSel, policyNamespace: ns)
            case .ipBlock(let b):
                return selection.world.allWorkloads.filter { $0.addresses.contains(where: b.contains) }
            }
        }
    }
}
