import ExtendCore

/// networking.k8s.io/v1 NetworkPolicy, with the defaulting the API server
/// would have applied had the file gone through it.
extension ManifestDecoder {
    static let specKeys = ["podSelector", "policyTypes", "ingress", "egress"]

    func networkPolicy(_ f: Fields, at c: Cursor) -> NetworkPolicy? {
        let before = problems.errorCount
        let meta = ObjectMeta.read(f, namespaced: true)
        // A policy without spec is the zero spec: an empty podSelector and no
        // rules, so (defaulted to Ingress) it isolates every pod's ingress.
        let spec = f["spec"].map { $0.fields() } ?? Fields.empty(at: c)
        guard let spec else { return nil }
        spec.warnUnknown(known: Self.specKeys)
        // "Selects the pods to which this NetworkPolicy object applies ... An
        // empty podSelector selects all pods in this namespace." Absent reads as empty.
        let podSelector = spec["podSelector"].map { $0.labelSelector() } ?? .everything
        let ingress = spec["ingress"].map { rules($0, direction: .ingress) } ?? []
        let egress = spec["egress"].map { rules($0, direction: .egress) } ?? []
        let policyTypes = spec["policyTypes"].flatMap { self.policyTypes($0) }
        guard let meta, let podSelector, let ingress, let egress, problems.errorCount == before else {
            return nil
        }
        // "If this field is not specified, it will default based on the
        // existence of ingress or egress rules; policies that contain an egress
        // section are assumed to affect egress, and all policies (whether or not
        // they contain an ingress section) are assumed to affect ingress."
        // The API server infers when the list is empty, too (len == 0).
        return NetworkPolicy(namespace: meta.namespace, name: meta.name, podSelector: podSelector,
                             policyTypes: policyTypes, ingress: ingress, egress: egress, origin: c.lineLocation,
                             labels: meta.labels, uid: meta.uid)
    }

    /// Explicit policyTypes; nil (infer) when the list is empty.
    private func policyTypes(_ c: Cursor) -> Set<Direction>? {
        guard let list = c.list(), !list.isEmpty else { return nil }
        var out: Set<Direction> = []
        for item in list {
            guard let text = item.string() else { continue }
            if let d = Direction(rawValue: text) { out.insert(d) } else {
                item.error("\(ScalarValue.quote(text)) is not a policy type; must be Ingress or Egress")
            }
        }
        return out
    }

    /// `ingress` or `egress`. `[]` is no rule (nothing admitted); `[{}]` is one
    /// rule admitting everything: the two must stay distinct.
    private func rules(_ c: Cursor, direction: Direction) -> [NetworkPolicy.Rule]? {
        guard let list = c.list() else { return nil }
        let peersKey = direction == .ingress ? "from" : "to"
        var out: [NetworkPolicy.Rule] = []
        for item in list {
            // A null rule is the zero rule, `{}`, as Kubernetes decodes it.
            guard let f = item.isNull ? Fields.empty(at: item) : item.fields() else { continue }
            f.warnUnknown(known: [peersKey, "ports"])
            // "If this field is empty or missing, this rule matches all sources"
            // (likewise destinations for `to`, and all ports for `ports`).
            let peers = f[peersKey].map { c in c.list().map { $0.compactMap(peer) } } ?? []
            let ports = f["ports"].map { c in c.list().map { $0.compactMap(portMatch) } } ?? []
            if let peers, let ports { out.append(NetworkPolicy.Rule(peers: peers, ports: ports)) }
        }
        return out
    }
}
