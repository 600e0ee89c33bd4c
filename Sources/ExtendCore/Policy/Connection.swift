/// A connection attempt to judge: from an endpoint at an address to an
/// endpoint at an address, on a protocol and port.
public struct Connection: Hashable, Sendable {
    public var source: Endpoint
    public var sourceAddress: IPAddress
    public var destination: Endpoint
    public var destinationAddress: IPAddress
    public var proto: Proto
    public var port: Int

    public init(source: Endpoint, sourceAddress: IPAddress, destination: Endpoint,
                destinationAddress: IPAddress, proto: Proto, port: Int) {
        self.source = source
        self.sourceAddress = sourceAddress
        self.destination = destination
        self.destinationAddress = destinationAddress
        self.proto = proto
        self.port = port
    }
}

extension Connection {
    /// The addresses a connection between two ends uses: the first of the
    /// first family both have, IPv4 first (as `explain` and the analysis judge
    /// it); nil when they share no family.
    public static func addresses(_ from: [IPAddress], _ to: [IPAddress]) -> (source: IPAddress, destination: IPAddress)? {
        for f in AddressFamily.allCases {
            if let a = from.first(where: { $0.family == f }), let b = to.first(where: { $0.family == f }) { return (a, b) }
        }
        return nil
    }
}

/// Why one side of a connection is allowed or not.
public struct SideVerdict: Hashable, Sendable {
    public var direction: Direction
    /// The workload whose policies decide this side; nil for an outside address (nothing to enforce there).
    public var workload: String?
    /// The workload is a legacy host (its side is enforced by our rules).
    public var isHost: Bool = false
    /// Policies that select the workload for this direction (empty: not isolated).
    public var isolatedBy: [String]
    /// Rules that admit the connection.
    public var admittedBy: [Admission]

    /// The connection goes from the workload to itself: "a pod cannot block
    /// access to itself" (nor block localhost access), whatever isolates it.
    public var toItself: Bool = false

    /// The lockout guard admits it: SSH to a legacy host from one of its
    /// management sources, whatever the policies say (not NetworkPolicy; ours).
    public var guardSource: String?

    public var allowed: Bool { toItself || guardSource != nil || isolatedBy.isEmpty || !admittedBy.isEmpty }
}

public struct Admission: Hashable, Sendable, CustomStringConvertible {
    public var policy: String
    /// 0-based index into the policy's ingress or egress list.
    public var rule: Int
    public var peer: String
    public var port: String
    public var description: String { "\(policy) rule #\(rule + 1) (peer \(peer); port \(port))" }
}

public struct Verdict: Hashable, Sendable {
    public var connection: Connection
    /// The source's egress.
    public var egress: SideVerdict
    /// The destination's ingress.
    public var ingress: SideVerdict
    /// "For a connection from a source pod to a destination pod to be allowed,
    /// both the egress policy on the source pod and the ingress policy on the
    /// destination pod need to allow the connection."
    public var allowed: Bool { egress.allowed && ingress.allowed }
}
