/// The ports of every protocol cut into atoms: maximal ranges that no policy
/// boundary cuts (a numbered port or range, a named port as any endpoint
/// resolves it, a legacy host's SSH port for its lockout guard). Every port
/// of one atom fares alike under every policy, so the analysis judges one
/// port per atom.
public struct PortAtoms: Sendable {
    public struct Atom: Hashable, Sendable, Comparable {
        public var proto: Proto
        public var range: ClosedRange<Int>
        public static func < (a: Atom, b: Atom) -> Bool { (a.proto, a.range.lowerBound) < (b.proto, b.range.lowerBound) }
    }

    /// Sorted by protocol, then port.
    public private(set) var atoms: [Atom] = []
    /// Per protocol: the first atom's index and the atoms' first ports, ascending.
    private var starts: [Proto: (first: Int, lower: [Int])] = [:]

    /// - Parameter cuts: per protocol, ports where a new atom begins (a range
    ///   n…m gives n and m+1; a single port n gives n and n+1).
    public init(cuts: [Proto: Set<Int>]) {
        for proto in Proto.allCases.sorted() {
            let bounds = (cuts[proto] ?? []).filter { (2...65535).contains($0) }.union([1]).sorted()
            starts[proto] = (atoms.count, bounds)
            for (i, lo) in bounds.enumerated() {
                atoms.append(Atom(proto: proto, range: lo...(i + 1 < bounds.count ? bounds[i + 1] - 1 : 65535)))
            }
        }
    }

    public var count: Int { atoms.count }

    /// The index of the atom holding `port` of `proto`.
    public func index(_ proto: Proto, _ port: Int) -> Int {
        guard let s = starts[proto] else { return 0 }
        var lo = 0, hi = s.lower.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if s.lower[mid] <= port { lo = mid } else { hi = mid }
        }
        return s.first + lo
    }

    /// Every atom of `proto`.
    public func all(_ proto: Proto) -> Range<Int> {
        guard let s = starts[proto] else { return 0..<0 }
        return s.first..<s.first + s.lower.count
    }

    /// The atoms that `low…high` of `proto` covers (both ends must be cuts).
    public func covering(_ proto: Proto, _ low: Int, _ high: Int) -> ClosedRange<Int> {
        index(proto, low)...index(proto, high)
    }
}

/// A set of port atoms, as bits.
public struct AtomMask: Hashable, Sendable {
    public private(set) var words: [UInt64]

    public init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    init(words: [UInt64]) { self.words = words }

    public static func all(_ count: Int) -> AtomMask {
        var m = AtomMask(count: count)
        for i in 0..<count { m.insert(i) }
        return m
    }

    public mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
    public mutating func insert(_ r: some Sequence<Int>) { for i in r { insert(i) } }
    public func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    public mutating func formUnion(_ o: AtomMask) { for i in words.indices { words[i] |= o.words[i] } }
    public func intersection(_ o: AtomMask) -> AtomMask {
        var m = self
        for i in m.words.indices { m.words[i] &= o.words[i] }
        return m
    }

    /// The indices set, ascending.
    public var indices: [Int] {
        var out: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 { out.append(w * 64 + b) }
        }
        return out
    }
}
