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

    /// A new policy in the first live namespace that locks its pods' egress
    /// down to their own namespace: one policy edit that closes most of what
    /// those pods could reach (the generated cluster admits nearly
    /// everything, so tightening is what shows).
    public var policyEdit: Change? {
        guard let live = namespaces.first(where: { $0.labels.contains(Label("env", "live")) }) else { return nil }
        let policy = SyntheticPolicy(namespace: live.name, name: "egress-lockdown", uid: "00000000-0000-4000-8000-00000000e9e5",
                                     podSelector: .all, ingress: [], egress: [SyntheticPolicy.Rule(peers: [.pods(.all)], ports: [])],
                                     isolatesIngress: false)
        var stamp = Stamp(seed: scale.seed)
        var out: [UInt8] = []
        Self.json(policy, &stamp).write(to: &out)
        return Change(summary: "new policy \(policy.id): egress only within the namespace", manifest: out)
    }
}
