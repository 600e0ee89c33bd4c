/// A companion as the object `kubectl apply` takes.
extension Companion {
    public static let apiVersion = "networking.k8s.io/v1"

    public var manifest: ManifestNode {
        typealias F = ManifestNode.Field
        let p = policy
        var spec = [F("podSelector", Self.node(p.podSelector)),
                    F("policyTypes", .list(p.policyTypes.sorted().map { .string($0.rawValue) }))]
        if !p.ingress.isEmpty { spec.append(F("ingress", .list(p.ingress.map { Self.node($0, peersKey: "from") }))) }
        if !p.egress.isEmpty { spec.append(F("egress", .list(p.egress.map { Self.node($0, peersKey: "to") }))) }
        return .map([
            F("apiVersion", .string(Self.apiVersion)),
            F("kind", .string("NetworkPolicy")),
            F("metadata", .map([
                F("name", .string(p.name)),
                F("namespace", .string(p.namespace)),
                F("labels", .strings(p.labels)),
                F("annotations", .map(annotations.map { F($0.key, .string($0.value)) })),
            ])),
            F("spec", .map(spec)),
        ])
    }

    /// `kubectl apply -f -` input: the companions as YAML documents.
    public static func yaml(_ companions: [Companion]) -> String {
        companions.map { "---\n" + $0.manifest.yaml }.joined()
    }

    /// The same as one `kind: List`.
    public static func jsonList(_ companions: [Companion]) -> ManifestNode {
        .map([.init("apiVersion", .string("v1")), .init("kind", .string("List")),
              .init("items", .list(companions.map(\.manifest)))])
    }

    static func node(_ s: LabelSelector) -> ManifestNode {
        var fields: [ManifestNode.Field] = []
        if !s.matchLabels.isEmpty { fields.append(.init("matchLabels", .strings(s.matchLabels))) }
        if !s.matchExpressions.isEmpty {
            fields.append(.init("matchExpressions", .list(s.matchExpressions.map { r in
                .map([.init("key", .string(r.key)), .init("operator", .string(r.op.rawValue))]
                     + (r.values.isEmpty ? [] : [.init("values", .list(r.values.map { .string($0) }))]))
            })))
        }
        return .map(fields)
    }

    static func node(_ rule: NetworkPolicy.Rule, peersKey: String) -> ManifestNode {
        var fields: [ManifestNode.Field] = []
        if !rule.peers.isEmpty { fields.append(.init(peersKey, .list(rule.peers.map(node)))) }
        if !rule.ports.isEmpty { fields.append(.init("ports", .list(rule.ports.map(node)))) }
        return .map(fields)
    }

    static func node(_ peer: NetworkPolicy.Peer) -> ManifestNode {
        switch peer {
        case .ipBlock(let b):
            return .map([.init("ipBlock", .map([.init("cidr", .string(b.cidr.description))]
                + (b.except.isEmpty ? [] : [.init("except", .list(b.except.map { .string($0.description) }))])))])
        case .workloads(let pods, let namespaces):
            return .map((namespaces.map { [.init("namespaceSelector", node($0))] } ?? [])
                        + (pods.map { [.init("podSelector", node($0))] } ?? []))
        }
    }

    static func node(_ m: NetworkPolicy.PortMatch) -> ManifestNode {
        var fields: [ManifestNode.Field] = [.init("protocol", .string(m.proto.rawValue))]
        switch m.port {
        case nil: break
        case .number(let n): fields.append(.init("port", .int(n)))
        case .named(let name): fields.append(.init("port", .string(name)))
        }
        if let end = m.endPort { fields.append(.init("endPort", .int(end))) }
        return .map(fields)
    }
}
