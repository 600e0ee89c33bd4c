import ExtendCore

/// Terse builders for the conformance data, so each case reads like the YAML
/// it stands for. A namespace of functions rather than extensions on the core
/// types, so nothing here can collide with what the core adds later.
public enum NP {
    // MARK: Policies

    /// `policyTypes: nil` leaves the API's defaulting to the model: Ingress
    /// always, plus Egress when egress rules exist.
    public static func policy(_ namespace: String, _ name: String, select podSelector: LabelSelector = .everything,
                              types: Set<Direction>? = nil, ingress: [NetworkPolicy.Rule] = [],
                              egress: [NetworkPolicy.Rule] = []) -> NetworkPolicy {
        NetworkPolicy(namespace: namespace, name: name, podSelector: podSelector, policyTypes: types,
                      ingress: ingress, egress: egress)
    }

    /// One rule: `from`/`to` peers (empty: all) and ports (empty: all).
    public static func rule(_ peers: [NetworkPolicy.Peer] = [], ports: [NetworkPolicy.PortMatch] = []) -> NetworkPolicy.Rule {
        NetworkPolicy.Rule(peers: peers, ports: ports)
    }

    /// `{}`: a rule that admits everything.
    public static let allowAll = NetworkPolicy.Rule()

    // MARK: Selectors

    public static func labels(_ l: Labels) -> LabelSelector { LabelSelector(matchLabels: l) }
    /// `matchLabels: {pod: v}`
    public static func pod(_ v: String) -> LabelSelector { labels(["pod": v]) }
    /// `matchLabels: {ns: v}`
    public static func ns(_ v: String) -> LabelSelector { labels(["ns": v]) }
    /// `matchLabels: {kubernetes.io/metadata.name: v}`
    public static func nsName(_ v: String) -> LabelSelector { labels(["kubernetes.io/metadata.name": v]) }

    public static func expr(_ key: String, _ op: LabelSelector.Requirement.Operator, _ values: [String] = []) -> LabelSelector {
        LabelSelector(matchExpressions: [.init(key: key, op: op, values: values)])
    }

    // MARK: Peers

    /// `- podSelector: s` (the policy's own namespace).
    public static func pods(_ s: LabelSelector) -> NetworkPolicy.Peer {
        .workloads(podSelector: s, namespaceSelector: nil)
    }

    /// `- namespaceSelector: s` (every pod of the selected namespaces).
    public static func namespaces(_ s: LabelSelector) -> NetworkPolicy.Peer {
        .workloads(podSelector: nil, namespaceSelector: s)
    }

    /// `- namespaceSelector: ns` + `podSelector: pods` in one peer (AND).
    public static func pods(_ pods: LabelSelector, in ns: LabelSelector) -> NetworkPolicy.Peer {
        .workloads(podSelector: pods, namespaceSelector: ns)
    }

    /// `- ipBlock: {cidr: c, except: [...]}`
    public static func cidr(_ c: String, except: [String] = []) -> NetworkPolicy.Peer {
        .ipBlock(.init(cidr: CIDR(c)!, except: except.map { CIDR($0)! }))
    }

    // MARK: Ports

    /// `- port: n` (`protocol` defaults to TCP).
    public static func port(_ n: Int, _ proto: Proto = .tcp) -> NetworkPolicy.PortMatch {
        .init(proto: proto, port: .number(n))
    }

    /// `- port: from, endPort: to`
    public static func ports(_ from: Int, through to: Int, _ proto: Proto = .tcp) -> NetworkPolicy.PortMatch {
        .init(proto: proto, port: .number(from), endPort: to)
    }

    /// `- port: name`
    public static func named(_ name: String, _ proto: Proto = .tcp) -> NetworkPolicy.PortMatch {
        .init(proto: proto, port: .named(name))
    }

    /// `- protocol: p` without a port: every port of that protocol.
    public static func every(_ proto: Proto) -> NetworkPolicy.PortMatch {
        .init(proto: proto, port: nil)
    }
}
