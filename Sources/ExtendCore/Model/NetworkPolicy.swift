/// networking.k8s.io/v1 NetworkPolicy, after the API server's defaulting
/// (which the input layer performs for files, since files are not defaulted).
public struct NetworkPolicy: Hashable, Sendable {
    public var namespace: String
    public var name: String
    /// "Selects the pods to which this NetworkPolicy object applies ... An empty
    /// podSelector selects all pods in this namespace."
    public var podSelector: LabelSelector
    /// "If this field is not specified, it will default based on the existence
    /// of ingress or egress rules": always Ingress, plus Egress when egress rules exist.
    public var policyTypes: Set<Direction>
    public var ingress: [Rule]
    public var egress: [Rule]
    /// Where it came from (file:line), for messages.
    public var origin: String?
    /// metadata.labels: how a companion of ours is recognised (`isManagedCompanion`).
    public var labels: Labels
    /// metadata.uid, when the object came from the API server; a companion
    /// names its source's uid so the controller can own it by reference.
    public var uid: String?

    public init(namespace: String, name: String, podSelector: LabelSelector = .everything,
                policyTypes: Set<Direction>? = nil, ingress: [Rule] = [], egress: [Rule] = [],
                origin: String? = nil, labels: Labels = [:], uid: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.podSelector = podSelector
        self.policyTypes = policyTypes ?? NetworkPolicy.defaultPolicyTypes(egress: egress)
        self.ingress = ingress
        self.egress = egress
        self.origin = origin
        self.labels = labels
        self.uid = uid
    }

    public static func defaultPolicyTypes(egress: [Rule]) -> Set<Direction> {
        egress.isEmpty ? [.ingress] : [.ingress, .egress]
    }

    public var id: String { "\(namespace)/\(name)" }

    public func rules(_ d: Direction) -> [Rule] { d == .ingress ? ingress : egress }

    /// One ingress or egress rule. "If this field is empty or missing, this
    /// rule matches all sources (traffic not restricted by source)" — likewise
    /// for ports and for egress `to`.
    public struct Rule: Hashable, Sendable {
        /// Empty: all peers.
        public var peers: [Peer]
        /// Empty: all ports.
        public var ports: [PortMatch]
        public init(peers: [Peer] = [], ports: [PortMatch] = []) {
            self.peers = peers
            self.ports = ports
        }
        public var allowsAllPeers: Bool { peers.isEmpty }
        public var allowsAllPorts: Bool { ports.isEmpty }
    }

    public enum Peer: Hashable, Sendable {
        /// podSelector and/or namespaceSelector. "If namespaceSelector is also
        /// set, then the NetworkPolicyPeer as a whole selects the pods matching
        /// podSelector in the Namespaces selected by NamespaceSelector. Otherwise
        /// it selects the pods matching podSelector in the policy's own namespace."
        /// nil namespaceSelector: the policy's namespace. nil podSelector with a
        /// namespaceSelector: all pods of the selected namespaces.
        case workloads(podSelector: LabelSelector?, namespaceSelector: LabelSelector?)
        case ipBlock(IPBlock)
    }

    public struct IPBlock: Hashable, Sendable {
        public var cidr: CIDR
        public var except: [CIDR]
        public init(cidr: CIDR, except: [CIDR] = []) {
            self.cidr = cidr
            self.except = except
        }
        /// "except is a slice of CIDRs that should not be included within an
        /// IPBlock ... Except values will be rejected if they are outside the cidr range".
        public func contains(_ ip: IPAddress) -> Bool {
            cidr.contains(ip) && !except.contains { $0.contains(ip) }
        }
    }

    public struct PortMatch: Hashable, Sendable {
        public enum Port: Hashable, Sendable {
            case number(Int)
            case named(String)
        }
        public var proto: Proto
        /// nil: "If this field is not provided, this matches all port names and numbers."
        public var port: Port?
        /// "endPort indicates that a range of ports from port to endPort if set,
        /// inclusive, should be allowed by the policy."
        public var endPort: Int?
        public init(proto: Proto = .tcp, port: Port? = nil, endPort: Int? = nil) {
            self.proto = proto
            self.port = port
            self.endPort = endPort
        }
    }
}

extension NetworkPolicy.PortMatch: CustomStringConvertible {
    public var description: String {
        switch port {
        case nil: return "\(proto.rawValue)/all"
        case .number(let n): return endPort.map { "\(proto.rawValue)/\(n)-\($0)" } ?? "\(proto.rawValue)/\(n)"
        case .named(let s): return "\(proto.rawValue)/\(s)"
        }
    }
}
