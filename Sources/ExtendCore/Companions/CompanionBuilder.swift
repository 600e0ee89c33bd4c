/// Which companions the world wants: one per policy whose rules admit legacy
/// hosts that the cluster's CNI cannot see, in a namespace the cluster holds.
///
/// A companion only ever adds what its source allows: same `podSelector`,
/// same `policyTypes` (so it isolates exactly the pods the source already
/// isolates), and per source rule only the host addresses that rule admits,
/// with the ports it admits them on.
public struct CompanionBuilder: Sendable {
    public let selection: Selection

    public init(world: World) { selection = Selection(world: world) }

    var world: World { selection.world }

    /// Every companion wanted, sorted by namespace and name.
    public func companions() -> [Companion] {
        world.policies.compactMap(companion(for:)).sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    /// The companion of one policy, or nil when it needs none: its rules admit
    /// no host the CNI cannot see, or its namespace exists only in the
    /// inventory. There no CNI enforces it (no pod lives there; its
    /// podSelector picks hosts only, whose own rules already enforce it), and
    /// the API server would refuse a policy in a namespace it does not have.
    public func companion(for p: NetworkPolicy) -> Companion? {
        guard let ns = world.namespaces[p.namespace], !ns.virtual, !p.isManagedCompanion else { return nil }
        // Rules of a direction the policy does not list in policyTypes have no effect, so neither would theirs.
        func rules(_ d: Direction) -> [NetworkPolicy.Rule] {
            p.policyTypes.contains(d) ? p.rules(d).flatMap { hostRules(for: $0, d, policyNamespace: p.namespace) } : []
        }
        let ingress = rules(.ingress), egress = rules(.egress)
        guard !ingress.isEmpty || !egress.isEmpty else { return nil }
        let policy = NetworkPolicy(namespace: p.namespace, name: CompanionName.of(p.name), podSelector: p.podSelector,
                                   policyTypes: p.policyTypes, ingress: ingress, egress: egress, labels: Companion.labels)
        return Companion(policy: policy, sourceName: p.name, sourceUID: p.uid)
    }
}
