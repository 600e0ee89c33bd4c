/// What the cluster holds that matters here: Namespaces, Pods, NetworkPolicies.
public struct ClusterState: Hashable, Sendable {
    public var namespaces: [Namespace]
    public var pods: [Pod]
    public var policies: [NetworkPolicy]

    public init(namespaces: [Namespace] = [], pods: [Pod] = [], policies: [NetworkPolicy] = []) {
        self.namespaces = namespaces
        self.pods = pods
        self.policies = policies
    }
}

public struct Pod: Hashable, Sendable {
    public enum Phase: String, Hashable, Sendable {
        case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown"
    }
    public var namespace: String
    public var name: String
    public var labels: Labels
    /// status.podIPs, else status.podIP.
    public var ips: [IPAddress]
    public var hostNetwork: Bool
    public var phase: Phase
    public var containerPorts: [NamedPort]
    public var origin: String?

    public init(namespace: String, name: String, labels: Labels = [:], ips: [IPAddress] = [],
                hostNetwork: Bool = false, phase: Phase = .running, containerPorts: [NamedPort] = [],
                origin: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.ips = ips
        self.hostNetwork = hostNetwork
        self.phase = phase
        self.containerPorts = containerPorts
        self.origin = origin
    }

    public var ref: String { "\(namespace)/\(name)" }

    /// Pods on the node's network share the node's address, pods without an IP
    /// have nothing to put in a set, finished pods hold no address any more.
    public var isSelectable: Bool {
        !hostNetwork && !ips.isEmpty && phase != .succeeded && phase != .failed
    }

    public var workload: Workload {
        Workload(kind: .pod, namespace: namespace, name: name, labels: labels, addresses: ips, namedPorts: containerPorts)
    }
}
