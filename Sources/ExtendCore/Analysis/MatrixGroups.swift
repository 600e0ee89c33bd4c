/// The matrix grouped for reading: sources that reach the same destinations
/// on the same ports form one group, and a port list merges adjacent atoms
/// (a protocol's every port is the protocol alone).
public struct MatrixGroups: Sendable {
    public struct PortRange: Hashable, Sendable, Comparable {
        public var proto: Proto
        /// nil: every port of the protocol.
        public var range: ClosedRange<Int>?

        public init(proto: Proto, range: ClosedRange<Int>?) {
            self.proto = proto
            self.range = range
        }

        public static func < (a: Self, b: Self) -> Bool {
            (a.proto, a.range?.lowerBound ?? 1) < (b.proto, b.range?.lowerBound ?? 1)
        }

        public var lower: Int { range?.lowerBound ?? 1 }
        public var upper: Int { range?.upperBound ?? 65535 }

        public var text: String {
            guard let r = range else { return proto.rawValue }
            return r.count == 1 ? "\(proto.rawValue) \(r.lowerBound)" : "\(proto.rawValue) \(r.lowerBound)-\(r.upperBound)"
        }
    }

    public struct Group: Hashable, Sendable {
        /// Class ids.
        public var from: [Int]
        public var to: [Int]
        public var ports: [PortRange]
    }

    /// Sorted by first source, then first destination.
    public var groups: [Group]

    /// - Parameters: from, to: keep only pairs whose source (destination) class is in it.
    public init(_ m: ConnectivityMatrix, from: Set<Int>? = nil, to: Set<Int>? = nil) {
        var ranges: [Int: [PortRange]] = [:]
        var pairs: [(from: Int, to: Int, ports: [PortRange])] = []
        for (pair, mask) in m.allowedPairs {
            if let from, !from.contains(pair.from) { continue }
            if let to, !to.contains(pair.to) { continue }
            if ranges[mask] == nil { ranges[mask] = Self.ranges(m.masks[mask], m.ports) }
            pairs.append((pair.from, pair.to, ranges[mask]!))
        }
        groups = Self.group(pairs)
    }

    /// Sources with the same destinations on the same ports, one group.
    static func group(_ pairs: [(from: Int, to: Int, ports: [PortRange])]) -> [Group] {
        var bySource: [Int: [[PortRange]: [Int]]] = [:]
        for p in pairs { bySource[p.from, default: [:]][p.ports, default: []].append(p.to) }
        struct Key: Hashable {
            var to: [Int]
            var ports: [PortRange]
        }
        var sources: [Key: [Int]] = [:]
        for (s, byPorts) in bySource {
            for (ports, targets) in byPorts { sources[Key(to: targets.sorted(), ports: ports), default: []].append(s) }
        }
        return sources.map { Group(from: $0.value.sorted(), to: $0.key.to, ports: $0.key.ports) }
            .sorted { ($0.from[0], $0.to[0], $0.from.count) < ($1.from[0], $1.to[0], $1.from.count) }
    }

    /// Adjacent atoms of one protocol merged; a protocol's whole span is the protocol alone.
    static func ranges(_ mask: AtomMask, _ ports: PortAtoms) -> [PortRange] {
        var out: [PortRange] = []
        var open: (proto: Proto, lo: Int, hi: Int)?
        func close() {
            guard let o = open else { return }
            out.append(PortRange(proto: o.proto, range: o.lo == 1 && o.hi == 65535 ? nil : o.lo...o.hi))
            open = nil
        }
        for i in mask.indices {
            let a = ports.atoms[i]
            if let o = open, o.proto == a.proto, o.hi + 1 == a.range.lowerBound {
                open?.hi = a.range.upperBound
            } else {
                close()
                open = (a.proto, a.range.lowerBound, a.range.upperBound)
            }
        }
        close()
        return out
    }
}

extension EndpointClasses.Class {
    /// How people read a class: the endpoint itself when it is alone, else
    /// its namespace, the labels its members share, and how many there are.
    public var label: String {
        if members.count == 1 { return members[0].ref }
        let labels = commonLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(namespace)/{\(labels)} (\(members.count) \(kind == .pod ? "pods" : "hosts"))"
    }
}
