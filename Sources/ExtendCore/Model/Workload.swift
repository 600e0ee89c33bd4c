/// Anything a selector can pick: a pod from the cluster or a legacy host from
/// the inventory. Both are addressed, labelled members of a namespace.
public struct Workload: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Comparable {
        case pod, host
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }
    public var kind: Kind
    public var namespace: String
    public var name: String
    public var labels: Labels
    /// Sorted, de-duplicated.
    public var addresses: [IPAddress]
    public var namedPorts: [NamedPort]

    public init(kind: Kind, namespace: String, name: String, labels: Labels = [:],
                addresses: [IPAddress], namedPorts: [NamedPort] = []) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.addresses = Array(Set(addresses)).sorted()
        self.namedPorts = namedPorts
    }

    public var ref: String { "\(namespace)/\(name)" }

    public func addresses(_ f: AddressFamily) -> [IPAddress] { addresses.filter { $0.family == f } }

    /// A named port resolves on a workload only when its protocol matches too.
    public func resolve(portName: String, proto: Proto) -> Int? {
        namedPorts.first { $0.name == portName && $0.proto == proto }?.port
    }
}

public struct Namespace: Hashable, Sendable {
    public var name: String
    public var labels: Labels
    /// true: declared by the inventory, not present in the cluster.
    public var virtual: Bool
    /// true: no Namespace object was given, only objects in it (a lone policy
    /// file); an inventory namespace of that name takes its place.
    public var implied: Bool
    /// Where it was declared (file:line:column), for messages.
    public var origin: String?
    public init(name: String, labels: Labels = [:], virtual: Bool = false, implied: Bool = false, origin: String? = nil) {
        self.implied = implied
        self.origin = origin
        self.name = name
        var l = labels
        // "The Kubernetes control plane sets an immutable label
        // kubernetes.io/metadata.name on all namespaces."
        l["kubernetes.io/metadata.name"] = name
        self.labels = l
        self.virtual = virtual
    }
}
