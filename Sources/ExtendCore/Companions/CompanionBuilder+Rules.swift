/// One source rule to its companion rules.
extension CompanionBuilder {
    typealias Rule = NetworkPolicy.Rule
    typealias PortMatch = NetworkPolicy.PortMatch

    /// The companion rules of one source rule: `ipBlock` host prefixes for the
    /// legacy-host addresses the rule admits and the CNI would not, grouped by
    /// the ports they are admitted on. Empty when it admits none.
    ///
    /// - A selector peer ("podSelector ... namespaceSelector") that picks a
    ///   host admits all of the host's addresses, on the rule's ports.
    /// - An `ipBlock` peer, or a rule without peers ("If this field is empty
    ///   or missing, this rule matches all sources"), admits by address, which
    ///   the CNI does as well: nothing to add, except for named egress ports.
    ///   There the host is the destination and "the port name is resolved on
    ///   each selected pod"; a CNI resolves a name only on its own endpoints,
    ///   so those hosts get the name's number on each address the peer admits.
    func hostRules(for rule: Rule, _ d: Direction, policyNamespace: String) -> [Rule] {
        var portsOf: [IPAddress: [PortMatch]] = [:]
        for peer in rule.peers {
            guard case .workloads(let pods, let namespaces) = peer else { continue }
            let hosts = selection.workloads(podSelector: pods, namespaceSelector: namespaces, policyNamespace: policyNamespace)
            for w in hosts where w.kind == .host {
                let ports = self.ports(rule.ports, d, on: w, namedOnly: false)
                for a in w.addresses { portsOf[a] = ports }
            }
        }
        if d == .egress && rule.ports.contains(where: \.isNamed) {
            let blocks = rule.peers.compactMap { peer -> NetworkPolicy.IPBlock? in
                if case .ipBlock(let b) = peer { return b }
                return nil
            }
            for host in world.hosts {
                let w = host.workload
                let ports = self.ports(rule.ports, d, on: w, namedOnly: true)
                for a in w.addresses where portsOf[a] == nil && (rule.allowsAllPeers || blocks.contains { $0.contains(a) }) {
                    portsOf[a] = ports
                }
            }
        }
        // "If this field is empty or missing, this rule matches all ports": a
        // list that became empty (no name resolved) must admit nothing instead.
        var byPorts: [[PortMatch]: [IPAddress]] = [:]
        for (a, ports) in portsOf where rule.ports.isEmpty || !ports.isEmpty { byPorts[ports, default: []].append(a) }
        return byPorts.map { ports, addresses in
            Rule(peers: addresses.sorted().map { .ipBlock(.init(cidr: CIDR(host: $0))) }, ports: ports)
        }.sorted { $0.peers.first?.hostAddress ?? .v4(0) < $1.peers.first?.hostAddress ?? .v4(0) }
    }

    /// The rule's ports for a connection with `w` as the peer. On ingress the
    /// pod is the destination: names stay, the CNI resolves them on the pod.
    /// On egress the host is: a name becomes the host's number for it, or
    /// nothing where the host lacks it ("if a named port ... unresolved, it
    /// matches nothing there"); `namedOnly` keeps only those.
    private func ports(_ ports: [PortMatch], _ d: Direction, on w: Workload, namedOnly: Bool) -> [PortMatch] {
        guard d == .egress else { return ports }
        var out: [PortMatch] = []
        for m in ports {
            let resolved: PortMatch?
            if case .named(let name) = m.port {
                resolved = w.resolve(portName: name, proto: m.proto).map { PortMatch(proto: m.proto, port: .number($0)) }
            } else {
                resolved = namedOnly ? nil : m
            }
            if let resolved, !out.contains(resolved) { out.append(resolved) }
        }
        return out
    }
}

extension NetworkPolicy.PortMatch {
    var isNamed: Bool {
        if case .named = port { return true }
        return false
    }
}

extension NetworkPolicy.Peer {
    /// The address of a host-prefix ipBlock (what companion rules are made of).
    var hostAddress: IPAddress? {
        guard case .ipBlock(let b) = self, b.except.isEmpty, b.cidr.isHost else { return nil }
        return b.cidr.address
    }
}
