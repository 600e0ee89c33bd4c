/// A NetworkPolicy as the generator makes it: only the shapes the benchmark
/// needs (matchLabels, an `In` expression, ipBlocks with except, numbered,
/// named, ranged and UDP ports).
public struct SyntheticPolicy: Sendable {
    public var namespace: String
    public var name: String
    public var uid: String
    public var podSelector: Selector
    public var ingress: [Rule]
    /// nil: the policy does not isolate egress.
    public var egress: [Rule]?
    /// false for the egress-only policies (policyTypes: [Egress]).
    public var isolatesIngress: Bool

    public var id: String { namespace + "/" + name }

    public enum Selector: Sendable {
        /// `{}`: everything.
        case all
        case labels([SyntheticCluster.Label])
        /// `matchExpressions: [{key, operator: In, values}]`.
        case keyIn(String, [String])

        public func matches(_ labels: [SyntheticCluster.Label]) -> Bool {
            switch self {
            case .all: return true
            case .labels(let wanted): return wanted.allSatisfy { labels[$0.key] == $0.value }
            case .keyIn(let key, let values): return labels[key].map(values.contains) ?? false
            }
        }
    }

    public enum Peer: Sendable {
        /// podSelector alone: pods (and hosts) of the policy's own namespace.
        case pods(Selector)
        /// namespaceSelector alone: every workload of the namespaces it picks.
        case namespaces(Selector)
        /// Both: the selected workloads within the selected namespaces.
        case podsInNamespaces(pods: Selector, namespaces: Selector)
        case ipBlock(cidr: String, except: [String])
    }

    public struct Port: Sendable {
        public enum Value: Sendable {
            case number(Int)
            case named(String)
        }
        public var proto: String
        /// nil: every port of the protocol.
        public var port: Value?
        public var endPort: Int?
    }

    public struct Rule: Sendable {
        /// Empty: every peer.
        public var peers: [Peer]
        /// Empty: every port.
        public var ports: [Port]
    }
}
