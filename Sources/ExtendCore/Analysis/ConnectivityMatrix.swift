/// Who can reach whom, among every pod and legacy host, per protocol and
/// port: the pairs of endpoint classes and the port atoms each allows,
/// judged as `explain` judges one connection (the same policies, the first
/// address family both ends have, the lockout guard).
public struct ConnectivityMatrix: Sendable {
    public let classes: EndpointClasses
    public let ports: PortAtoms
    /// Every distinct set of atoms a pair allows, numbered.
    public private(set) var masks: [AtomMask] = []
    /// Per (from, to) class pair, `from * classCount + to`: the number of
    /// the atoms it allows in `masks`, -1 for none. A class to itself
    /// stands for its distinct members (an endpoint to itself is never
    /// listed); a class of one member has no such pair.
    private var pairs: [Int32] = []
    public var classCount: Int { classes.classes.count }

    public struct Pair: Hashable, Sendable, Comparable {
        public var from: Int
        public var to: Int
        public static func < (a: Pair, b: Pair) -> Bool { (a.from, a.to) < (b.from, b.to) }
    }

    /// The number (in `masks`) of what `from` may open to `to`; nil for nothing.
    public func maskID(_ from: Int, _ to: Int) -> Int? {
        let m = pairs[from * classCount + to]
        return m < 0 ? nil : Int(m)
    }

    /// Every pair that allows something, with its mask's number.
    public var allowedPairs: [(pair: Pair, mask: Int)] {
        var out: [(Pair, Int)] = []
        let n = classCount
        for (i, m) in pairs.enumerated() where m >= 0 { out.append((Pair(from: i / n, to: i % n), Int(m))) }
        return out
    }

    public init(world: World) {
        let judge = ClassJudge(world: world)
        classes = judge.classes
        ports = judge.ports
        (pairs, masks) = PairTables(judge: judge, world: world).judgeAll()
    }

    /// Whether `from` may open a connection to `to` on `proto`/`port` (distinct endpoints).
    public func allows(from: Workload, to: Workload, _ proto: Proto, _ port: Int) -> Bool {
        guard let s = classes.classOf(from.ref), let d = classes.classOf(to.ref) else { return false }
        return maskID(s.id, d.id).map { masks[$0].contains(ports.index(proto, port)) } ?? false
    }
}
