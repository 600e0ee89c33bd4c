/// What a proposed change opens and closes: the connections the proposed
/// cluster and inventory allow that the current ones do not, and the other
/// way round, grouped, each group with what is responsible for it.
public struct ConnectionDiff: Sendable {
    /// Endpoints that both states treat alike (one class in each, or absent from one).
    public struct JointClass: Hashable, Sendable {
        public var id: Int
        /// `NAMESPACE/NAME`, sorted.
        public var members: [String]
        var current: Int?
        var proposed: Int?
    }

    public struct Change: Hashable, Sendable {
        /// Joint class ids.
        public var from: [Int]
        public var to: [Int]
        public var ports: [MatrixGroups.PortRange]
        /// What made it: policies added, changed or deleted, labels or inventory edits.
        public var because: [String]
    }

    public private(set) var classes: [JointClass] = []
    public private(set) var opened: [Change] = []
    public private(set) var closed: [Change] = []

    public var isEmpty: Bool { opened.isEmpty && closed.isEmpty }

    public init(current: World, proposed: World) {
        self.init(current: current, proposed: proposed, before: ConnectivityMatrix(world: current),
                  after: ConnectivityMatrix(world: proposed))
    }

    /// With each state's matrix already worked out (the two are independent: a caller may work them out at once).
    public init(current: World, proposed: World, before: ConnectivityMatrix, after: ConnectivityMatrix) {
        var classOf: [String: (Int?, Int?)] = [:]
        for c in before.classes.classes { for w in c.members { classOf[w.ref, default: (nil, nil)].0 = c.id } }
        for c in after.classes.classes { for w in c.members { classOf[w.ref, default: (nil, nil)].1 = c.id } }
        struct Key: Hashable {
            var current: Int?
            var proposed: Int?
        }
        var byKey: [Key: Int] = [:]
        for ref in classOf.keys.sorted() {
            let (c, p) = classOf[ref]!
            let key = Key(current: c, proposed: p)
            if let id = byKey[key] {
                classes[id].members.append(ref)
            } else {
                byKey[key] = classes.count
                classes.append(JointClass(id: classes.count, members: [ref], current: c, proposed: p))
            }
        }
        // Masks repeat: their port ranges are worked out once per state.
        var cache: [[Int: [MatrixGroups.PortRange]]] = [[:], [:]]
        func ranges(_ state: Int, _ a: Int?, _ b: Int?) -> [MatrixGroups.PortRange] {
            let m = state == 0 ? before : after
            guard let a, let b, let id = m.maskID(a, b) else { return [] }
            if let hit = cache[state][id] { return hit }
            let r = MatrixGroups.ranges(m.masks[id], m.ports)
            cache[state][id] = r
            return r
        }
        var opens: [(from: Int, to: Int, ports: [MatrixGroups.PortRange])] = []
        var closes: [(from: Int, to: Int, ports: [MatrixGroups.PortRange])] = []
        for a in classes {
            for b in classes where a.id != b.id || a.members.count > 1 {
                let was = ranges(0, a.current, b.current), now = ranges(1, a.proposed, b.proposed)
                if was == now { continue }
                let o = Self.subtract(now, was), c = Self.subtract(was, now)
                if !o.isEmpty { opens.append((a.id, b.id, o)) }
                if !c.isEmpty { closes.append((a.id, b.id, c)) }
            }
        }
        let blame = Blame(current: current, proposed: proposed)
        func explained(_ groups: [MatrixGroups.Group]) -> [Change] {
            groups.map { g in
                // One connection of the group stands for it: two distinct endpoints, its first port.
                let from = classes[g.from[0]].members[0], targets = classes[g.to[0]].members
                let to = targets.first { $0 != from } ?? targets[0]
                return Change(from: g.from, to: g.to, ports: g.ports, because: blame.reasons(from: from, to: to, g.ports[0]))
            }
        }
        opened = explained(MatrixGroups.group(opens))
        closed = explained(MatrixGroups.group(closes))
    }

    /// `a` minus `b`, range by range, per protocol.
    static func subtract(_ a: [MatrixGroups.PortRange], _ b: [MatrixGroups.PortRange]) -> [MatrixGroups.PortRange] {
        var out: [MatrixGroups.PortRange] = []
        for r in a {
            var pieces = [(r.lower, r.upper)]
            for s in b where s.proto == r.proto {
                pieces = pieces.flatMap { p -> [(Int, Int)] in
                    if s.upper < p.0 || s.lower > p.1 { return [p] }
                    var left: [(Int, Int)] = []
                    if s.lower > p.0 { left.append((p.0, s.lower - 1)) }
                    if s.upper < p.1 { left.append((s.upper + 1, p.1)) }
                    return left
                }
            }
            out += pieces.map { MatrixGroups.PortRange(proto: r.proto, range: $0.0 == 1 && $0.1 == 65535 ? nil : $0.0...$0.1) }
        }
        return out
    }
}

/// Why a connection's verdict changed: the policies that judge it in either
/// state and differ between them, else the endpoints' own edits.
struct Blame {
    let current: World
    let proposed: World
    let before: Evaluator
    let after: Evaluator
    let policiesBefore: [String: NetworkPolicy]
    let policiesAfter: [String: NetworkPolicy]

    init(current: World, proposed: World) {
        self.current = current
        self.proposed = proposed
        before = Evaluator(world: current)
        after = Evaluator(world: proposed)
        policiesBefore = Dictionary(current.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        policiesAfter = Dictionary(proposed.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func reasons(from: String, to: String, _ port: MatrixGroups.PortRange) -> [String] {
        let (s0, d0) = (current.workload(ref: from), current.workload(ref: to))
        let (s1, d1) = (proposed.workload(ref: from), proposed.workload(ref: to))
        var out: [String] = []
        for (w0, w1, ref) in [(s0, s1, from), (d0, d1, to)] {
            let kind = (w1 ?? w0)?.kind == .host ? "host" : "pod"
            if w0 == nil { out.append("new \(kind) \(ref)") }
            if w1 == nil { out.append("\(kind) \(ref) gone") }
        }
        if !out.isEmpty { return out }
        // Every policy either verdict names, whose text differs between the states.
        var named = Set<String>()
        for v in [verdict(before, s0!, d0!, port), verdict(after, s1!, d1!, port)].compactMap({ $0 }) {
            for side in [v.egress, v.ingress] {
                named.formUnion(side.isolatedBy)
                named.formUnion(side.admittedBy.map(\.policy))
            }
        }
        for id in named.sorted() {
            switch (policiesBefore[id], policiesAfter[id]) {
            case (nil, _?): out.append("new policy \(id)")
            case (_?, nil): out.append("policy \(id) deleted")
            case let (a?, b?) where !a.sameSpec(as: b): out.append("policy \(id) changed")
            default: break
            }
        }
        if !out.isEmpty { return out }
        for (w0, w1) in [(s0!, s1!), (d0!, d1!)] {
            let what = w0.kind == .host ? "host" : "pod"
            if w0.labels != w1.labels { out.append("labels of \(what) \(w0.ref) changed") }
            if w0.addresses != w1.addresses { out.append("addresses of \(what) \(w0.ref) changed") }
            if w0.namedPorts != w1.namedPorts { out.append("named ports of \(what) \(w0.ref) changed") }
            if current.namespaces[w0.namespace]?.labels != proposed.namespaces[w1.namespace]?.labels {
                out.append("labels of namespace \(w0.namespace) changed")
            }
            if w0.kind == .host, let h0 = current.host(of: w0), let h1 = proposed.host(of: w1),
               h0.management != h1.management || h0.ssh.port != h1.ssh.port {
                out.append("lockout guard of host \(w0.ref) changed")
            }
        }
        return out.uniqued
    }

    private func verdict(_ e: Evaluator, _ s: Workload, _ d: Workload, _ port: MatrixGroups.PortRange) -> Verdict? {
        guard let (sa, da) = Connection.addresses(s.addresses, d.addresses) else { return nil }
        return e.evaluate(Connection(source: .workload(s), sourceAddress: sa, destination: .workload(d), destinationAddress: da,
                                     proto: port.proto, port: port.lower))
    }
}
