/// `extend explain`: is this connection allowed, and by which policies (or
/// which isolation denies it).
public struct Explainer: Sendable {
    public let world: World
    private let evaluator: Evaluator

    public init(world: World) {
        self.world = world
        evaluator = Evaluator(world: world)
    }

    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `NAMESPACE/NAME` names a pod or a host; a bare IP address stands for an
    /// address outside both. An address that does belong to a workload is
    /// refused with that workload's name, so nobody mistakes it for an outsider.
    public func resolve(_ ref: String) throws(Failure) -> Endpoint {
        if let ip = IPAddress(ref) {
            if let owner = world.owner(of: ip) {
                throw Failure(description: "\(ref) is the address of \(owner); refer to it as NAMESPACE/NAME (a bare address stands for traffic from or to outside the cluster and the inventory)")
            }
            return .external(ip)
        }
        let parts = ref.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw Failure(description: "\"\(ref)\" is neither NAMESPACE/NAME nor an IP address")
        }
        guard let w = world.workload(ref: ref) else {
            if world.namespaces[String(parts[0])] == nil {
                throw Failure(description: "no namespace \"\(parts[0])\" in the cluster or the inventory (from \(ref))")
            }
            throw Failure(description: "no pod or host \(ref) (pods without an IP, on the host network or finished are not selectable)")
        }
        return .workload(w)
    }

    public func explain(from: String, to: String, port: Int, proto: Proto) throws(Failure) -> Explanation {
        guard (1...65535).contains(port) else { throw Failure(description: "port \(port) is outside 1-65535") }
        let src = try resolve(from)
        let dst = try resolve(to)
        let (sa, da) = try addresses(src, dst, from: from, to: to)
        let c = Connection(source: src, sourceAddress: sa, destination: dst, destinationAddress: da, proto: proto, port: port)
        func mode(_ e: Endpoint) -> Enforcement? {
            if case .workload(let w) = e { return world.host(of: w)?.enforcement }
            return nil
        }
        return Explanation(verdict: evaluator.evaluate(c), from: from, to: to, egressMode: mode(src), ingressMode: mode(dst))
    }

    /// The addresses the connection uses: the one family both ends have, IPv4 first.
    private func addresses(_ s: Endpoint, _ d: Endpoint, from: String, to: String) throws(Failure) -> (IPAddress, IPAddress) {
        func addrs(_ e: Endpoint) -> [IPAddress] {
            switch e {
            case .external(let ip): [ip]
            case .workload(let w): w.addresses
            }
        }
        if let pair = Connection.addresses(addrs(s), addrs(d)) { return pair }
        throw Failure(description: "\(from) and \(to) share no address family; no connection between them is possible")
    }
}

/// The answer, shaped for both people and scripts (`--output json`).
public struct Explanation: Hashable, Sendable, Codable {
    public struct Side: Hashable, Sendable, Codable {
        public var direction: String
        public var workload: String?
        /// true when the workload is a legacy host, where extend enforces it
        /// (a pod's side is enforced by the cluster's network plugin).
        public var enforcedByExtend: Bool
        /// A legacy host's `enforcement` (nil for a pod or an outside address):
        /// in audit, what its policies deny is counted, then let through.
        public var enforcement: Enforcement?
        public var isolated: Bool
        public var isolatedBy: [String]
        public var allowedBy: [Rule]
        public var allowed: Bool
    }
    public struct Rule: Hashable, Sendable, Codable {
        public var policy: String
        public var rule: Int
        public var peer: String
        public var port: String
    }
    public var verdict: String
    public var from: String
    public var to: String
    public var sourceAddress: String
    public var destinationAddress: String
    public var `protocol`: String
    public var port: Int
    public var egress: Side
    public var ingress: Side
    public var reasons: [String]

    public init(verdict v: Verdict, from: String, to: String, egressMode: Enforcement? = nil, ingressMode: Enforcement? = nil) {
        func side(_ s: SideVerdict) -> Side {
            Side(direction: s.direction.rawValue, workload: s.workload, enforcedByExtend: s.isHost,
                 enforcement: s.isHost ? (s.direction == .egress ? egressMode : ingressMode) : nil, isolated: !s.isolatedBy.isEmpty, isolatedBy: s.isolatedBy,
                 allowedBy: s.admittedBy.map { Rule(policy: $0.policy, rule: $0.rule + 1, peer: $0.peer, port: $0.port) },
                 allowed: s.allowed)
        }
        verdict = v.allowed ? "allow" : "deny"
        self.from = from
        self.to = to
        sourceAddress = v.connection.sourceAddress.description
        destinationAddress = v.connection.destinationAddress.description
        `protocol` = v.connection.proto.rawValue
        port = v.connection.port
        egress = side(v.egress)
        ingress = side(v.ingress)
        reasons = Explanation.reasons(v, from: from, to: to, modes: [.egress: egress.enforcement, .ingress: ingress.enforcement])
    }

    private static func reasons(_ v: Verdict, from: String, to: String, modes: [Direction: Enforcement?]) -> [String] {
        func text(_ s: SideVerdict, who: String, what: String) -> String {
            let reason = plain(s, who: who, what: what)
            guard modes[s.direction] == .audit, let w = s.workload else { return reason }
            if !s.isolatedBy.isEmpty && s.admittedBy.isEmpty && s.guardSource == nil && !s.toItself {
                return reason + "; \(w) is in audit mode: the connection is counted against them, then let through"
            }
            return reason + " (\(w) is in audit mode)"
        }
        func plain(_ s: SideVerdict, who: String, what: String) -> String {
            guard let w = s.workload else { return "\(who) is outside the cluster and the inventory: no \(what) policy applies to it" }
            if s.toItself { return "\(w) connects to itself, which no \(what) policy can block (a pod cannot block access to itself)" }
            if let g = s.guardSource, !s.isolatedBy.isEmpty, s.admittedBy.isEmpty {
                return "\(w) is isolated for \(what) by \(s.isolatedBy.joined(separator: ", ")), but SSH from management source \(g) is always admitted (lockout guard)"
            }
            if s.isolatedBy.isEmpty { return "\(w) is not isolated for \(what): no policy selects it with \(s.direction.rawValue) in policyTypes" }
            if s.admittedBy.isEmpty {
                return "\(w) is isolated for \(what) by \(s.isolatedBy.joined(separator: ", ")) and no rule of them admits this connection"
            }
            let rules = s.admittedBy.map { "\($0.policy) \(s.direction == .ingress ? "ingress" : "egress") rule #\($0.rule + 1) (peer \($0.peer); port \($0.port))" }
            return "\(w) is isolated for \(what) by \(s.isolatedBy.joined(separator: ", ")); admitted by " + rules.joined(separator: ", ")
        }
        return [text(v.egress, who: from, what: "egress"), text(v.ingress, who: to, what: "ingress")]
    }

    public var text: String {
        var out = "\(verdict.uppercased()): \(from) (\(sourceAddress)) -> \(to) (\(destinationAddress)) \(`protocol`)/\(port)\n"
        for r in reasons { out += "  - \(r)\n" }
        return out
    }
}
