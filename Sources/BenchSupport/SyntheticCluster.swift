/// A generated cluster and inventory, as plain values: what the writers turn
/// into `cluster.json` and `inventory.yaml`, and what the benchmark reads to
/// pick its probes (which pod and host to explain, which host to render).
public struct SyntheticCluster: Sendable {
    public var scale: BenchScale
    /// Cluster namespaces (in `cluster.json`).
    public var namespaces: [Namespace]
    /// Namespaces declared only in the inventory.
    public var inventoryNamespaces: [Namespace]
    public var pods: [Pod]
    public var hosts: [Host]
    /// In cluster and inventory-only namespaces alike; all go to `cluster.json`.
    public var policies: [SyntheticPolicy]

    public struct Label: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public struct NamedPort: Sendable, Equatable {
        public var name: String
        public var port: Int
        public var proto: String
    }

    public struct Namespace: Sendable {
        public var name: String
        public var uid: String
        /// Without kubernetes.io/metadata.name, which the writers add as the API server does.
        public var labels: [Label]
    }

    public struct Pod: Sendable {
        public var namespace: String
        public var name: String
        public var uid: String
        public var labels: [Label]
        /// The ReplicaSet that owns it.
        public var owner: String
        public var ownerUID: String
        public var container: String
        public var ports: [NamedPort]
        /// IPv4 first, then IPv6 for a dual-stack pod.
        public var ips: [String]
        public var ref: String { namespace + "/" + name }
    }

    public struct Host: Sendable {
        public var name: String
        public var namespace: String
        public var labels: [Label]
        public var addresses: [String]
        public var ports: [NamedPort]
        public var logDrops: Bool
        public var ref: String { namespace + "/" + name }
    }
}

extension [SyntheticCluster.Label] {
    public subscript(key: String) -> String? { first { $0.key == key }?.value }
}
