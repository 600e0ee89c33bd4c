/// What a legacy host sees arriving from one pod, and whether the policies
/// can work with it. Companion policies and the host's own rules name pods by
/// their addresses: they only hold if the host sees a pod's own address, not
/// one that a node or router translated it to (SNAT, masquerading).
public struct SourceDiagnosis: Hashable, Sendable {
    public enum Verdict: String, Sendable {
        /// The host saw the pod's own address.
        case direct
        /// The host saw none of the pod's addresses, and addresses no pod or host has: something translates.
        case translated
        /// Nothing was seen that could have come from the pod.
        case nothingSeen = "nothing-seen"
    }

    /// One source address seen at the host, with who holds it in the world.
    public struct Seen: Hashable, Sendable {
        public var source: ObservedSource
        /// "pod ns/name" or "host name"; nil for an address nobody in the world has.
        public var owner: String?
        /// One of the pod's own addresses.
        public var isThePod: Bool
    }

    public var pod: String
    public var podAddresses: [IPAddress]
    public var host: String
    public var verdict: Verdict
    /// Sorted by address.
    public var seen: [Seen]

    /// The diagnosis for `pod` from what `host` saw (its capture, already
    /// narrowed to packets addressed to the host).
    public static func diagnose(pod: Workload, host: String, observed: [ObservedSource], world: World) -> SourceDiagnosis {
        let own = Set(pod.addresses)
        let seen = ObservedSource.merged(observed).map { s in
            Seen(source: s, owner: world.owner(of: s.address), isThePod: own.contains(s.address))
        }
        let verdict: Verdict
        if seen.contains(where: \.isThePod) {
            verdict = .direct
        } else if seen.contains(where: { $0.owner == nil }) {
            verdict = .translated
        } else {
            verdict = .nothingSeen
        }
        return SourceDiagnosis(pod: pod.ref, podAddresses: pod.addresses.sorted(), host: host, verdict: verdict, seen: seen)
    }

    /// What it means, in a sentence or two a user can act on.
    public var summary: String {
        let mine = podAddresses.map(\.description).joined(separator: ", ")
        switch verdict {
        case .direct:
            return "\(host) sees \(pod) at its own address (\(mine)): the host's rules and the companion policies can tell this pod apart"
        case .translated:
            let others = seen.filter { $0.owner == nil }.map(\.source.address.description).joined(separator: ", ")
            return "\(host) does not see \(pod) at its own address (\(mine)) but at \(others), which no pod or host has: "
                + "a node or router translates the pod's traffic (SNAT, masquerading), so the host's rules and the companion "
                + "policies cannot work for it. Exclude the legacy hosts' ranges from masquerading (docs/both-directions.md, per CNI)"
        case .nothingSeen:
            return "\(host) saw nothing from \(pod) (\(mine)) or from any address outside the cluster's pods and hosts: "
                + "open connections from the pod to the host while the doctor listens (e.g. kubectl exec into it), then run it again"
        }
    }
}

/// Packets from one source address seen arriving at a host.
public struct ObservedSource: Hashable, Sendable, Comparable {
    public var address: IPAddress
    public var packets: Int
    /// The destination ports they went to (TCP, UDP, SCTP), sorted.
    public var ports: [Int]

    public init(address: IPAddress, packets: Int, ports: [Int]) {
        self.address = address
        self.packets = packets
        self.ports = ports
    }

    public static func < (a: Self, b: Self) -> Bool { a.address < b.address }

    /// One entry per address, ports merged, sorted by address.
    public static func merged(_ sources: [ObservedSource]) -> [ObservedSource] {
        var by: [IPAddress: (packets: Int, ports: Set<Int>)] = [:]
        for s in sources {
            by[s.address, default: (0, [])].packets += s.packets
            by[s.address, default: (0, [])].ports.formUnion(s.ports)
        }
        return by.map { ObservedSource(address: $0.key, packets: $0.value.packets, ports: $0.value.ports.sorted()) }.sorted()
    }
}
