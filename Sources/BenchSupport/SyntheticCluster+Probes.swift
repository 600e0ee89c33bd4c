/// What the benchmark asks of a generated input besides rendering it all:
/// one connection to explain, one host to render alone.
extension SyntheticCluster {
    public struct ExplainProbe: Sendable, Equatable {
        public var from: String
        public var to: String
        public var port: Int
        public var proto: String
    }

    /// A pod of a live namespace to a billing-db host of legacy-0 on 5432:
    /// the anchor policy (`ClusterGenerator.anchorName`) admits it, and the
    /// other policies of legacy-0 that select the host are judged too. nil
    /// when the input is too small to hold both ends.
    public var explainProbe: ExplainProbe? {
        guard policies.contains(where: { $0.name == ClusterGenerator.anchorName }),
              let target = hosts.first(where: { $0.namespace == inventoryNamespaces.first?.name && $0.labels["app"] == "billing-db" }),
              let live = namespaces.first(where: { $0.labels["env"] == "live" }),
              let source = pods.first(where: { $0.namespace == live.name }) else { return nil }
        return ExplainProbe(from: source.ref, to: target.ref, port: 5432, proto: "TCP")
    }

    /// The host of an inventory-only namespace that the most policies select
    /// (by their podSelector), with that count; the first such by name on a tie.
    public var busiestInventoryHost: (host: Host, policies: Int)? {
        let inventoryOnly = Set(inventoryNamespaces.map(\.name))
        var byNamespace: [String: [SyntheticPolicy]] = [:]
        for p in policies where inventoryOnly.contains(p.namespace) { byNamespace[p.namespace, default: []].append(p) }
        var best: (host: Host, policies: Int)?
        for host in hosts where inventoryOnly.contains(host.namespace) {
            let n = (byNamespace[host.namespace] ?? []).filter { $0.podSelector.matches(host.labels) }.count
            if let b = best, n < b.policies || (n == b.policies && b.host.name < host.name) { continue }
            best = (host, n)
        }
        return best
    }
}
