/// Warnings that catch likely mistakes. They never block anything.
public struct PolicyLint: Sendable {
    public let selection: Selection

    public init(world: World) { selection = Selection(world: world) }

    public func warnings() -> [Diagnostic] {
        var out: [Diagnostic] = []
        let memo = Memo(selection)
        for p in selection.world.policies {
            let at = p.origin ?? "networkpolicy \(p.id)"
            let targets = selection.targetIndices(of: p)
            if targets.isEmpty {
                out.append(.warning(at, code: "selects-no-target", "policy \(p.id): podSelector \(p.podSelector.canonical) selects no pod or host in namespace \(p.namespace)"))
            }
            for d in Direction.allCases where p.policyTypes.contains(d) {
                let rules = p.rules(d)
                let word = d == .ingress ? "ingress" : "egress"
                if rules.count > 1, let i = rules.firstIndex(where: { $0.allowsAllPeers && $0.allowsAllPorts }) {
                    out.append(.warning(at, code: "redundant-rules", "policy \(p.id): \(word) rule #\(i + 1) admits all traffic, which makes the policy's other \(word) rules redundant"))
                }
                for (i, rule) in rules.enumerated() {
                    out += peerWarnings(p, rule, i, word, at, memo)
                    out += namedPortWarnings(p, d, rule, i, word, targets, at, memo)
                }
            }
        }
        return out.sorted()
    }

    /// Answers that many policies ask alike (the same peer in many policies).
    private final class Memo {
        let selection: Selection
        var selections = NamespaceSelections()
        var selects: [PeerKey: Bool] = [:]
        var resolves: [PortKey: Bool] = [:]
        /// A selector peer by its selectors (hashing the namespaces it reaches
        /// cost more than the answer, for peers that reach half the cluster).
        struct PeerKey: Hashable {
            var pods: LabelSelector
            var namespaces: LabelSelector?
            /// The policy's namespace, only when there is no namespace selector.
            var own: String?
            init(_ pods: LabelSelector?, _ nsSel: LabelSelector?, policyNamespace: String) {
                self.pods = pods ?? .everything
                namespaces = nsSel
                own = nsSel == nil ? policyNamespace : nil
            }
        }
        /// Does a port name resolve on some workload of a receiver? Many
        /// policies name the same port on the same peers.
        struct PortKey: Hashable {
            enum Receiver: Hashable {
                case targets(namespace: String, LabelSelector)
                case peer(PeerKey)
                case block(NetworkPolicy.IPBlock)
                case everyone
            }
            var receiver: Receiver
            var name: String
            var proto: Proto
        }
        init(_ s: Selection) { selection = s }
        lazy var addresses = AddressIndex(selection.world)

        func resolves(_ key: PortKey, _ compute: () -> Bool) -> Bool {
            if let hit = resolves[key] { return hit }
            let out = compute()
            resolves[key] = out
            return out
        }

        func namespaces(_ nsSel: LabelSelector?, _ policyNamespace: String) -> [String] {
            selections.namespaces(for: nsSel, policyNamespace: policyNamespace, in: selection)
        }

        func selectsAny(_ pod: LabelSelector?, _ nsSel: LabelSelector?, _ policyNamespace: String) -> Bool {
            let key = PeerKey(pod, nsSel, policyNamespace: policyNamespace)
            if let hit = selects[key] { return hit }
            let out = namespaces(nsSel, policyNamespace).contains { !selection.indices(key.pods, in: $0).isEmpty }
            selects[key] = out
            return out
        }
    }

    private func peerWarnings(_ p: NetworkPolicy, _ rule: NetworkPolicy.Rule, _ i: Int, _ word: String, _ at: String, _ memo: Memo) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (j, peer) in rule.peers.enumerated() {
            switch peer {
            case .workloads(let pod, let ns):
                if !memo.selectsAny(pod, ns, p.namespace) {
                    out.append(.warning(at, code: "peer-selects-nothing", "policy \(p.id): \(word) rule #\(i + 1) peer #\(j + 1) (\(peer.summary)) selects nothing"))
                }
            case .ipBlock(let b):
                for e in b.except where !b.cidr.contains(e) {
                    out.append(.warning(at, code: "except-outside-cidr", "policy \(p.id): \(word) rule #\(i + 1) ipBlock except \(e) lies outside its cidr \(b.cidr) and has no effect"))
                }
            }
        }
        return out
    }

    private func namedPortWarnings(_ p: NetworkPolicy, _ d: Direction, _ rule: NetworkPolicy.Rule, _ i: Int,
                                   _ word: String, _ targets: [Int], _ at: String, _ memo: Memo) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let world = selection.world
        for m in rule.ports {
            guard case .named(let name)? = m.port else { continue }
            // Named ports resolve on whoever receives the connection: the policy's
            // targets for ingress, the rule's destinations for egress.
            let resolves: Bool
            if d == .ingress {
                let key = Memo.PortKey(receiver: .targets(namespace: p.namespace, p.podSelector), name: name, proto: m.proto)
                resolves = memo.resolves(key) {
                    let ws = world.workloads(in: p.namespace)
                    return targets.contains { ws[$0].resolve(portName: name, proto: m.proto) != nil }
                }
            } else {
                resolves = anyDestination(rule, p.namespace, memo, name, m.proto)
            }
            if !resolves {
                out.append(.warning(at, code: "named-port-unresolved", "policy \(p.id): \(word) rule #\(i + 1) named port \"\(name)\"/\(m.proto.rawValue) resolves on no \(d == .ingress ? "selected target" : "destination"), so it admits nothing"))
            }
        }
        return out
    }

    /// Does the port name resolve on any destination of an egress rule? Stops at the first peer where it does.
    private func anyDestination(_ rule: NetworkPolicy.Rule, _ ns: String, _ memo: Memo, _ name: String, _ proto: Proto) -> Bool {
        let world = selection.world
        func test(_ w: Workload) -> Bool { w.resolve(portName: name, proto: proto) != nil }
        if rule.allowsAllPeers {
            return memo.resolves(.init(receiver: .everyone, name: name, proto: proto)) { world.anyWorkload(where: test) }
        }
        for peer in rule.peers {
            switch peer {
            case .workloads(let pod, let nsSel):
                let peerKey = Memo.PeerKey(pod, nsSel, policyNamespace: ns)
                let found = memo.resolves(.init(receiver: .peer(peerKey), name: name, proto: proto)) {
                    memo.namespaces(nsSel, ns).contains { n in
                        let ws = world.workloads(in: n)
                        return selection.indices(peerKey.pods, in: n).contains { test(ws[$0]) }
                    }
                }
                if found { return true }
            case .ipBlock(let b):
                let found = memo.resolves(.init(receiver: .block(b), name: name, proto: proto)) {
                    var any = false
                    memo.addresses.forEach(in: b.cidr) { e in
                        any = b.contains(e.address) && e.resolve(portName: name, proto: proto) != nil
                        return !any
                    }
                    return any
                }
                if found { return true }
            }
        }
        return false
    }
}
