import ExtendCore
import Testing

/// One conformance case: a set of NetworkPolicies laid over a universe of
/// workloads, and the connections the NetworkPolicy specification says must
/// (or must not) get through.
///
/// The data is written from the Kubernetes documentation
/// (concepts/services-networking/network-policies) and the upstream e2e matrix
/// (test/e2e/network/netpol), never copied from this project's own answers.
/// It is plain data so that other runners can load it too: the pure suite runs
/// every probe through `Explainer.explain`, the kernel suite loads the same
/// universe into network namespaces and sends real traffic.
public struct ConformanceCase: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    /// Short, unique, stable (used as the test argument's name).
    public var name: String
    /// The documentation sentence (or API reference text) this case pins.
    public var specSentence: String
    /// The upstream e2e test it mirrors (`test/e2e/network/netpol/network_policy.go`), when one does.
    public var upstream: String?
    /// The workloads and namespaces; most cases use `ConformanceUniverse.standard()`.
    public var universe: ConformanceUniverse
    public var policies: [NetworkPolicy]
    public var probes: [Probe]
    /// The case gives workloads IPv6 addresses (2001:db8::/32) or probes IPv6
    /// outsiders; a runner without IPv6 may skip it.
    public var ipv6: Bool
    /// The case has a probe from a workload to itself (the docs: "a pod cannot
    /// block access to itself"); upstream e2e ignores loopback probes because
    /// plugins differ, so a kernel runner should know which case holds them.
    public var loopback: Bool

    public init(name: String, specSentence: String, upstream: String? = nil,
                universe: ConformanceUniverse = .standard(), policies: [NetworkPolicy],
                probes: [Probe], ipv6: Bool = false) {
        self.name = name
        self.specSentence = specSentence
        self.upstream = upstream
        self.universe = universe
        self.policies = policies
        self.probes = probes
        self.ipv6 = ipv6
        self.loopback = probes.contains { $0.from == $0.to }
    }

    public var testDescription: String { name }
    public var description: String { name }

    /// Protocols the probes use (a kernel runner skips SCTP where the kernel lacks it).
    public var protocols: Set<Proto> { Set(probes.map(\.proto)) }
}

/// One connection attempt and the verdict the spec demands.
///
/// `from`/`to` are logical references into the case's universe: `NS/NAME` for
/// a workload (`x/a`, upstream's spelling) or a bare IP address for a sender or
/// receiver outside every workload. Turn a workload reference into the real
/// object name with `ConformanceUniverse.ref(_:in:)` (hosts are named `x-a`
/// because inventory host names are unique) and into an address with
/// `ConformanceUniverse.address(of:family:)`. Between two workloads the
/// connection uses IPv4 when both ends have it, as `explain` does.
public struct Probe: Hashable, Sendable, CustomStringConvertible {
    public var from: String
    public var to: String
    public var port: Int
    public var proto: Proto
    /// true: the connection must be allowed; false: it must be denied.
    public var expect: Bool

    public init(from: String, to: String, port: Int, proto: Proto, expect: Bool) {
        self.from = from
        self.to = to
        self.port = port
        self.proto = proto
        self.expect = expect
    }

    public static func allow(_ from: String, _ to: String, _ port: Int = 80, _ proto: Proto = .tcp) -> Probe {
        Probe(from: from, to: to, port: port, proto: proto, expect: true)
    }

    public static func deny(_ from: String, _ to: String, _ port: Int = 80, _ proto: Proto = .tcp) -> Probe {
        Probe(from: from, to: to, port: port, proto: proto, expect: false)
    }

    public var description: String {
        "\(from) -> \(to) \(proto.rawValue)/\(port): \(expect ? "allow" : "deny")"
    }
}

extension ConformanceCase {
    /// Every case, by theme. The count is pinned by a test so it cannot shrink unnoticed.
    public static let all: [ConformanceCase] =
        ingress + selectors + egress + ipBlock + ports + examples
}
