/// One connection attempt from a lab host.
public struct NetnsProbe: Hashable, Sendable, CustomStringConvertible {
    public enum Proto: String, Hashable, Sendable, CaseIterable {
        case tcp, udp, sctp
    }

    /// The address to send from (one of the sending host's own).
    public var source: String
    public var destination: String
    public var port: Int
    public var proto: Proto

    public init(source: String, destination: String, port: Int, proto: Proto) {
        self.source = source
        self.destination = destination
        self.port = port
        self.proto = proto
    }

    public var description: String { "\(source) -> \(destination) \(proto.rawValue)/\(port)" }
}

/// What became of a probe.
public struct NetnsProbeResult: Hashable, Sendable, CustomStringConvertible {
    public enum Verdict: String, Hashable, Sendable {
        /// The listener answered ("ok"): every filter on the way let it through.
        case allowed
        /// No answer within the timeout, or the sender's own rules dropped it (EPERM).
        case denied
        /// Neither: refused (nothing listens), unreachable, a bad reply. The lab
        /// is wrong, not the rules.
        case broken
    }

    public var probe: NetnsProbe
    public var verdict: Verdict
    /// How the verdict was reached, for messages.
    public var detail: String

    public var description: String { "\(probe): \(verdict.rawValue) (\(detail))" }
}
