/// The matrix grouped for reading: sources that reach the same destinations
/// on the same ports form one group, and a port list merges adjacent atoms
/// (a protocol's every port is the protocol alone).
public struct MatrixGroups: Sendable {
    public struct PortRange: Hashable, Sendable {
        public var proto: Proto
        /// nil: every port of the protocol.
        public var range: ClosedRange<Int>?

        public init(proto: Proto, range: ClosedRange<Int>?) {
            self.proto = proto
            self.range = range
        }

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
        var bySource: [Int: [AtomMask: [Int]]] = [:]
        for (pair, mask) in m.allowed {
            if let from, !from.contains(pair.from) { continue }
            if let to, !to.contains(pair.to) { continue }
            bySource[pair.from, default: [:]][mask, default: []].append(pair.to)
        }
        struct Key: Hashable {
            var to: [Int]
            var mask: AtomMask
        }
        var sources: [Key: [Int]] = [:]
        for (s, masks) in bySource {
            for (mask, targets) in masks { sources[Key(to: targets.sorted(), mask: mask), default: []].append(s) }
        }
        groups = sources.map { Group(from: $0.value.sorted(), to: $0.key.to, ports: Self.ranges($0.key.mask, m.ports)) }
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
