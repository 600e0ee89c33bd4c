/// The changes the incremental rows make, as manifests `extend changes
/// --changed` reads (and `render` reads after the cluster, the later
/// definition replacing the earlier).
extension SyntheticCluster {
    public struct Change: Sendable {
        /// What it is, for the notes.
        public var summary: String
        /// One object, JSON.
        public var manifest: [UInt8]
    }

    /// The first pod of the first live namespace, relabelled to the next app
    /// of its namespace (a different app label, same addresses).
    public var podRelabel: Change? {
        guard let live = namespaces.first(where: { $0.labels.contains(Label("env", "live")) }),
              let pod = pods.first(where: { $0.namespace == live.name }),
              let app = pod.labels.first(where: { $0.key == "app" }),
              let other = pods.first(where: { $0.namespace == live.name && $0.labels.first { $0.key == "app" }?.value != app.value })?
                .labels.first(where: { $0.key == "app" }) else { return nil }
        var changed = pod
        changed.labels = pod.labels.map { $0.key == "app" ? other : $0 }
        var out: [UInt8] = []
        Self.json(changed).write(to: &out)
        return Change(summary: "pod \(pod.ref) app=\(app.value) → app=\(other.value)", manifest: out)
    }

    /// The first live namespace turned env=dev: every peer that picks
    /// `env: live` loses it.
    public var namespaceRelabel: Change? {
        guard let live = namespaces.first(where: { $0.labels.contains(Label("env", "live")) }) else { return nil }
        var changed = live
        changed.labels = live.labels.map { $0.key == "env" ? Label("env", "dev") : $0 }
        var stamp = Stamp(seed: scale.seed)
        var out: [UInt8] = []
        Self.json(changed, &stamp).write(to: &out)
        return Change(summary: "namespace \(live.name) env=live → env=dev", manifest: out)
    }

    /// Policy 0 (the billing databases of legacy-0, from every live
    /// namespace) admitting every namespace of the first team too, on TCP
    /// 22 as well: one policy edit that opens connections from many pods.
    public var policyEdit: Change? {
        guard var policy = policies.first, let team = namespaces.first?.labels.first(where: { $0.key == "team" }) else { return nil }
        policy.ingress.append(SyntheticPolicy.Rule(peers: [.namespaces(.labels([team]))],
                                                   ports: [SyntheticPolicy.Port(proto: "TCP", port: .number(22), endPort: nil)]))
        var stamp = Stamp(seed: scale.seed)
        var out: [UInt8] = []
        Self.json(policy, &stamp).write(to: &out)
        return Change(summary: "policy \(policy.id) also admits team=\(team.value) on TCP 22", manifest: out)
    }
}
