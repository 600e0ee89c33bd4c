import ExtendCore

/// The upstream e2e universe: namespaces x, y, z (labelled `ns: x` …, plus the
/// implicit `kubernetes.io/metadata.name`), each with workloads a, b, c
/// (labelled `pod: a` …), every workload serving ports 80 and 81 on TCP, UDP
/// and SCTP under agnhost's port names (`serve-80-tcp` …).
///
/// The same universe is built two ways so the suite can demand that pods and
/// legacy hosts behave alike:
/// - `.hosts`: inventory hosts in virtual inventory namespaces (what the kernel
///   suite loads into network namespaces);
/// - `.pods`: pods in cluster namespaces.
///
/// Addresses are in 198.18.0.0/15 only (x/a = 198.18.0.11, x/b = 198.18.0.12,
/// … z/c = 198.18.0.33); with `ipv6`, each workload also holds 2001:db8::<same
/// digits> (x/a = 2001:db8::11). Outsiders used by probes (198.18.5.5, 198.19.x.y,
/// 2001:db8:5::5 …) belong to no workload.
public struct ConformanceUniverse: Hashable, Sendable {
    public enum Variant: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case hosts, pods
        public var description: String { rawValue }
    }

    public struct NamespaceSpec: Hashable, Sendable {
        public var name: String
        public var labels: Labels
        public init(name: String, labels: Labels) {
            self.name = name
            self.labels = labels
        }
    }

    public struct Member: Hashable, Sendable {
        public var namespace: String
        /// Logical name (`a`); the host variant names the host `<ns>-<name>`.
        public var name: String
        public var labels: Labels
        public var addresses: [IPAddress]
        public var ports: [NamedPort]
        public init(namespace: String, name: String, labels: Labels, addresses: [IPAddress], ports: [NamedPort]) {
            self.namespace = namespace
            self.name = name
            self.labels = labels
            self.addresses = addresses
            self.ports = ports
        }
        /// `x/a`
        public var logicalRef: String { "\(namespace)/\(name)" }
        /// Inventory host names are unique across the inventory, so `x/a` is host `x-a`.
        public var hostName: String { "\(namespace)-\(name)" }
    }

    public var namespaces: [NamespaceSpec]
    public var members: [Member]

    public init(namespaces: [NamespaceSpec], members: [Member]) {
        self.namespaces = namespaces
        self.members = members
    }

    /// agnhost's ports in the upstream e2e pods: `serve-<port>-<proto>`.
    public static let standardPorts: [NamedPort] = [80, 81].flatMap { port in
        Proto.allCases.map { NamedPort(name: "serve-\(port)-\($0.rawValue.lowercased())", port: port, proto: $0) }
    }

    public static let namespaceNames = ["x", "y", "z"]
    public static let podNames = ["a", "b", "c"]

    /// x/y/z × a/b/c.
    public static func standard(ipv6: Bool = false) -> ConformanceUniverse {
        var u = ConformanceUniverse(namespaces: [], members: [])
        for (i, ns) in namespaceNames.enumerated() {
            u.namespaces.append(NamespaceSpec(name: ns, labels: ["ns": ns]))
            for (j, pod) in podNames.enumerated() {
                let digits = "\(i + 1)\(j + 1)"
                var addresses = [IPAddress("198.18.0.\(digits)")!]
                if ipv6 { addresses.append(IPAddress("2001:db8::\(digits)")!) }
                u.members.append(Member(namespace: ns, name: pod, labels: ["pod": pod],
                                        addresses: addresses, ports: standardPorts))
            }
        }
        return u
    }

    // MARK: Case-specific changes

    /// Adds a namespace and its workloads (each serving the standard ports).
    public func adding(namespace: String, labels: Labels,
                       members new: [(name: String, labels: Labels, address: String)]) -> ConformanceUniverse {
        var u = self
        u.namespaces.append(NamespaceSpec(name: namespace, labels: labels))
        for m in new {
            u.members.append(Member(namespace: namespace, name: m.name, labels: m.labels,
                                    addresses: [IPAddress(m.address)!], ports: Self.standardPorts))
        }
        return u
    }

    /// Adds labels to a workload (`x/a`) or, for a bare name (`y`), to a namespace.
    public func labelling(_ target: String, _ labels: Labels) -> ConformanceUniverse {
        var u = self
        if target.contains("/") {
            guard let i = u.members.firstIndex(where: { $0.logicalRef == target }) else {
                preconditionFailure("no member \(target) in the universe")
            }
            u.members[i].labels.merge(labels) { _, new in new }
        } else {
            guard let i = u.namespaces.firstIndex(where: { $0.name == target }) else {
                preconditionFailure("no namespace \(target) in the universe")
            }
            u.namespaces[i].labels.merge(labels) { _, new in new }
        }
        return u
    }

    /// Gives a workload an extra named port.
    public func addingPort(_ target: String, _ port: NamedPort) -> ConformanceUniverse {
        var u = self
        guard let i = u.members.firstIndex(where: { $0.logicalRef == target }) else {
            preconditionFailure("no member \(target) in the universe")
        }
        u.members[i].ports.append(port)
        return u
    }

    // MARK: Building

    public func member(_ logicalRef: String) -> Member? { members.first { $0.logicalRef == logicalRef } }

    /// The workloads as legacy hosts in virtual inventory namespaces.
    public var inventory: Inventory {
        Inventory(
            namespaces: namespaces.map { Namespace(name: $0.name, labels: $0.labels, virtual: true) },
            hosts: members.map {
                LegacyHost(name: $0.hostName, namespace: $0.namespace, labels: $0.labels,
                           addresses: $0.addresses, ports: $0.ports)
            },
            source: "conformance-universe")
    }

    /// The workloads as running pods in cluster namespaces, with the policies.
    public func cluster(policies: [NetworkPolicy]) -> ClusterState {
        ClusterState(
            namespaces: namespaces.map { Namespace(name: $0.name, labels: $0.labels) },
            pods: members.map {
                Pod(namespace: $0.namespace, name: $0.name, labels: $0.labels, ips: $0.addresses,
                    containerPorts: $0.ports)
            },
            policies: policies)
    }

    /// The joined world for one variant. Policies always come in through the
    /// cluster state (for hosts in inventory namespaces they are read from files).
    public func world(_ variant: Variant, policies: [NetworkPolicy]) -> (World, [Diagnostic]) {
        switch variant {
        case .hosts:
            World.build(cluster: ClusterState(policies: policies), inventory: inventory)
        case .pods:
            World.build(cluster: cluster(policies: policies), inventory: Inventory())
        }
    }

    /// The reference `explain` takes for a logical probe end: `x/a` is pod
    /// `x/a` or host `x/x-a`; a bare address stays as it is.
    public func ref(_ logical: String, in variant: Variant) -> String {
        guard variant == .hosts, let m = member(logical) else { return logical }
        return "\(m.namespace)/\(m.hostName)"
    }

    /// The address a probe end uses in `family`: the workload's address, or the bare address itself.
    public func address(of logical: String, family: AddressFamily = .inet) -> IPAddress? {
        if let m = member(logical) { return m.addresses.first { $0.family == family } }
        return IPAddress(logical).flatMap { $0.family == family ? $0 : nil }
    }
}
