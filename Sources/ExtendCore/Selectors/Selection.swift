/// Which workloads a policy applies to and which workloads its peers select.
/// Pure and deterministic; results are sorted.
public struct Selection: Sendable {
    public let world: World

    public init(world: World) { self.world = world }

    /// "podSelector selects the pods to which this NetworkPolicy object applies"
    /// — only within the policy's own namespace.
    public func applies(_ policy: NetworkPolicy, to w: Workload) -> Bool {
        w.namespace == policy.namespace && policy.podSelector.matches(w.labels)
    }

    /// The policies that isolate `w` in direction `d`: "a pod is isolated for
    /// ingress if there is any NetworkPolicy that both selects the pod and has
    /// Ingress in its policyTypes" (likewise for egress).
    public func isolating(_ w: Workload, _ d: Direction) -> [NetworkPolicy] {
        guard let pool = world.policiesByNamespace[w.namespace] else { return [] }
        return isolatingIndices(w, d).map { pool[$0] }
    }

    /// The same as indices into `world.policiesByNamespace[w.namespace]`:
    /// no policy copied (a host that many policies isolate is asked once per compile).
    public func isolatingIndices(_ w: Workload, _ d: Direction) -> [Int] {
        guard let pool = world.policiesByNamespace[w.namespace] else { return [] }
        return pool.indices.filter { pool[$0].policyTypes.contains(d) && pool[$0].podSelector.matches(w.labels) }
    }

    public func targets(of policy: NetworkPolicy) -> [Workload] {
        let ws = world.workloads(in: policy.namespace)
        return targetIndices(of: policy).map { ws[$0] }
    }

    /// Indices into `world.workloads(in: policy.namespace)` of the policy's targets, ascending.
    public func targetIndices(of policy: NetworkPolicy) -> [Int] { indices(policy.podSelector, in: policy.namespace) }

    /// Indices into `world.workloads(in: namespace)` of the workloads a pod
    /// selector picks there: one atom of selection, the unit sets are built from.
    public func indices(_ podSelector: LabelSelector, in namespace: String) -> [Int] {
        world.members[namespace]?.select(podSelector) ?? []
    }

    /// The same, only those that have a port of this name and protocol ("the
    /// port name is resolved on each selected pod": the others resolve it nowhere).
    public func indices(_ podSelector: LabelSelector, in namespace: String, namedPort name: String, proto: Proto) -> [Int] {
        world.members[namespace]?.select(podSelector, namedPort: name, proto: proto) ?? []
    }

    /// Namespaces a peer reaches: "namespaceSelector ... selects namespaces using
    /// cluster-scoped labels"; absent, "the policy's own namespace".
    public func namespaces(for namespaceSelector: LabelSelector?, policyNamespace: String) -> [String] {
        guard let sel = namespaceSelector else { return [policyNamespace] }
        return world.namespaceNames.filter { world.namespaces[$0].map { sel.matches($0.labels) } ?? false }
    }

    /// Does a pod/namespace-selector peer select anything at all? Stops at the first namespace that has a match.
    public func selectsAny(podSelector: LabelSelector?, namespaceSelector: LabelSelector?, policyNamespace: String) -> Bool {
        let pods = podSelector ?? .everything
        return namespaces(for: namespaceSelector, policyNamespace: policyNamespace).contains { !indices(pods, in: $0).isEmpty }
    }

    /// The workloads a pod/namespace-selector peer selects.
    public func workloads(podSelector: LabelSelector?, namespaceSelector: LabelSelector?, policyNamespace: String) -> [Workload] {
        let pods = podSelector ?? .everything
        return namespaces(for: namespaceSelector, policyNamespace: policyNamespace).flatMap { ns in
            let ws = world.workloads(in: ns)
            return indices(pods, in: ns).map { ws[$0] }
        }
    }

    /// Does `peer` (of a policy in `policyNamespace`) select this endpoint, seen at `address`?
    /// Selector peers select workloads only; an ipBlock selects by address,
    /// whatever holds it (the dataplane cannot tell a pod's address from another).
    public func peer(_ peer: NetworkPolicy.Peer, policyNamespace: String, selects e: Endpoint, at address: IPAddress) -> Bool {
        switch peer {
        case .ipBlock(let block):
            return block.contains(address)
        case .workloads(let podSel, let nsSel):
            guard let w = e.workload else { return false }
            if let nsSel {
                guard let ns = world.namespaces[w.namespace], nsSel.matches(ns.labels) else { return false }
            } else if w.namespace != policyNamespace {
                return false
            }
            return (podSel ?? .everything).matches(w.labels)
        }
    }

    /// Does a port entry admit `proto`/`port` on `target` (the workload receiving
    /// the connection, whose named ports resolve it)? "If a named port ... the
    /// port name is resolved on each selected pod"; unresolved, it matches nothing there.
    public func port(_ m: NetworkPolicy.PortMatch, admits proto: Proto, _ port: Int, on target: Endpoint) -> Bool {
        guard m.proto == proto else { return false }
        switch m.port {
        case nil:
            return true
        case .number(let n):
            if let end = m.endPort { return (n...max(n, end)).contains(port) }
            return n == port
        case .named(let name):
            guard let w = target.workload, let n = w.resolve(portName: name, proto: proto) else { return false }
            return n == port
        }
    }
}
