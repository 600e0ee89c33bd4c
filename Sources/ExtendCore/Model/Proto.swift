/// The protocols NetworkPolicy ports may name. "The protocol (TCP, UDP, or
/// SCTP) which traffic must match. If not specified, this field defaults to TCP."
public enum Proto: String, Hashable, Comparable, Sendable, CaseIterable, Codable {
    case tcp = "TCP", udp = "UDP", sctp = "SCTP"

    public var iptablesName: String { rawValue.lowercased() }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public enum Direction: String, Hashable, Comparable, Sendable, CaseIterable, Codable {
    case ingress = "Ingress", egress = "Egress"
    public static func < (a: Self, b: Self) -> Bool { a == .ingress && b == .egress }
}

/// A port a workload names: a pod's containerPort or a host's inventory port.
public struct NamedPort: Hashable, Sendable {
    public var name: String
    public var port: Int
    public var proto: Proto
    public init(name: String, port: Int, proto: Proto) {
        self.name = name
        self.port = port
        self.proto = proto
    }
}
