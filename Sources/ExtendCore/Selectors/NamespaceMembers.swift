/// The selectable workloads of one namespace, sorted by name, with postings
/// per label key and value. A selector is answered from its most selective
/// positive requirement, then checked in full on those few candidates,
/// instead of testing every workload of the namespace. Kept per namespace so
/// that a change to one pod rebuilds only its namespace's part.
struct NamespaceMembers: Sendable {
    private(set) var workloads: [Workload]
    /// key → value → ascending indices into `workloads`.
    private var postings: [String: [String: [Int]]]
    /// A named port (name, protocol) → ascending indices of the workloads that have it.
    private var portPostings: [PortName: [Int]]

    struct PortName: Hashable, Sendable {
        var name: String
        var proto: Proto
    }

    init(_ unsorted: [Workload]) {
        workloads = unsorted.sorted { ($0.name, $0.kind) < ($1.name, $1.kind) }
        var keys: [String: [String: [Int]]] = [:]
        var ports: [PortName: [Int]] = [:]
        for (i, w) in workloads.enumerated() {
            for (k, v) in w.labels { keys[k, default: [:]][v, default: []].append(i) }
            for p in w.namedPorts {
                let key = PortName(name: p.name, proto: p.proto)
                // A workload naming the same port twice is listed once.
                if ports[key]?.last != i { ports[key, default: []].append(i) }
            }
        }
        postings = keys
        portPostings = ports
    }

    /// Does any workload here have a port of this name and protocol?
    func hasNamedPort(_ name: String, _ proto: Proto) -> Bool { portPostings[PortName(name: name, proto: proto)] != nil }

    /// Ascending indices of the workloads that `selector` matches and that
    /// have a port of this name and protocol: a peer's named port asked of
    /// every namespace the peer reaches, where few workloads (often none) name it.
    func select(_ selector: LabelSelector, namedPort name: String, proto: Proto) -> [Int] {
        guard let having = portPostings[PortName(name: name, proto: proto)] else { return [] }
        if selector.isEmpty { return having }
        return having.filter { selector.matches(workloads[$0].labels) }
    }

    var isEmpty: Bool { workloads.isEmpty }

    /// Index of the workload of this name and kind, by binary search.
    func index(name: String, kind: Workload.Kind? = nil) -> Int? {
        var lo = 0, hi = workloads.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if workloads[mid].name < name { lo = mid + 1 } else { hi = mid }
        }
        while lo < workloads.count && workloads[lo].name == name {
            if kind == nil || workloads[lo].kind == kind { return lo }
            lo += 1
        }
        return nil
    }

    /// Ascending indices of the workloads that `selector` matches.
    func select(_ selector: LabelSelector) -> [Int] {
        var best: [Int]?
        func consider(_ c: [Int]) { if best == nil || c.count < best?.count ?? 0 { best = c } }
        for (k, v) in selector.matchLabels {
            guard let hit = postings[k]?[v] else { return [] }
            consider(hit)
        }
        for r in selector.matchExpressions {
            switch r.op {
            case .in:
                let lists = r.values.compactMap { postings[r.key]?[$0] }
                if lists.isEmpty { return [] }
                consider(lists.count == 1 ? lists[0] : Array(Set(lists.joined())).sorted())
            case .exists:
                guard let values = postings[r.key] else { return [] }
                consider(values.count == 1 ? values.first?.value ?? [] : Array(Set(values.values.joined())).sorted())
            case .notIn, .doesNotExist:
                continue
            }
        }
        if let best {
            // One positive requirement: its postings are the answer exactly.
            if selector.matchLabels.count + selector.matchExpressions.count == 1 { return best }
            return best.filter { selector.matches(workloads[$0].labels) }
        }
        if selector.isEmpty { return Array(workloads.indices) }
        return workloads.indices.filter { selector.matches(workloads[$0].labels) }
    }
}
