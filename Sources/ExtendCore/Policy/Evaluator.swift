/// NetworkPolicy semantics for one connection, the single code path behind
/// `extend explain` and the conformance suite.
public struct Evaluator: Sendable {
    public let selection: Selection

    public init(world: World) { selection = Selection(world: world) }

    public func evaluate(_ c: Connection) -> Verdict {
        var egress = side(.egress, subject: c.source, peer: c.destination, peerAddress: c.destinationAddress, c)
        var ingress = side(.ingress, subject: c.destination, peer: c.source, peerAddress: c.sourceAddress, c)
        // "The entities that a Pod can communicate with are identified through ...
        // Other pods that are allowed (exception: a pod cannot block access to itself)".
        if c.source.workload != nil && c.source == c.destination {
            egress.toItself = true
            ingress.toItself = true
        }
        if let host = c.destination.workload.flatMap(selection.world.host(of:)), c.proto == .tcp, c.port == host.ssh.port,
           let src = host.management.first(where: { $0.contains(c.sourceAddress) }) {
            ingress.guardSource = src.description
        }
        return Verdict(connection: c, egress: egress, ingress: ingress)
    }

    /// One direction: the subject's isolating policies and the rules that admit the peer.
    /// "Network policies do not conflict; they are additive. If any policy or
    /// policies apply to a given pod for a given direction, the connections
    /// allowed in that direction from that pod is the union of what the
    /// applicable policies allow."
    private func side(_ d: Direction, subject: Endpoint, peer: Endpoint, peerAddress: IPAddress, _ c: Connection) -> SideVerdict {
        guard let w = subject.workload else {
            return SideVerdict(direction: d, workload: nil, isolatedBy: [], admittedBy: [])
        }
        let policies = selection.isolating(w, d)
        var admissions: [Admission] = []
        for p in policies {
            for (i, rule) in p.rules(d).enumerated() {
                guard let peerText = admittingPeer(rule, policyNamespace: p.namespace, peer: peer, at: peerAddress) else { continue }
                // Ports name the destination's ports, in both directions.
                guard let portText = admittingPort(rule, c) else { continue }
                admissions.append(Admission(policy: p.id, rule: i, peer: peerText, port: portText))
            }
        }
        return SideVerdict(direction: d, workload: w.ref, isHost: w.kind == .host, isolatedBy: policies.map(\.id), admittedBy: admissions)
    }

    private func admittingPeer(_ rule: NetworkPolicy.Rule, policyNamespace: String, peer: Endpoint, at address: IPAddress) -> String? {
        if rule.allowsAllPeers { return "any" }
        for (j, p) in rule.peers.enumerated()
        where selection.peer(p, policyNamespace: policyNamespace, selects: peer, at: address) {
            return "#\(j + 1) \(p.summary)"
        }
        return nil
    }

    private func admittingPort(_ rule: NetworkPolicy.Rule, _ c: Connection) -> String? {
        if rule.allowsAllPorts { return "all" }
        return rule.ports.first { selection.port($0, admits: c.proto, c.port, on: c.destination) }.map(\.description)
    }
}

extension NetworkPolicy.Peer {
    public var summary: String {
        switch self {
        case .ipBlock(let b):
            return "ipBlock \(b.cidr)" + (b.except.isEmpty ? "" : " except \(b.except.map(\.description).joined(separator: ","))")
        case .workloads(let pod, let ns):
            var parts: [String] = []
            if let ns { parts.append("namespaceSelector \(ns.canonical)") }
            if let pod { parts.append("podSelector \(pod.canonical)") }
            return parts.joined(separator: " AND ")
        }
    }
}
