/// The selectable workloads of one namespace, sorted by name, with postings
/// per label key and value (`LabelPostings`) and per named port. Kept per
/// namespace so that a change to one pod rebuilds only its namespace's part.
struct NamespaceMembers: Sendable {
    private(set) var workloads: [Workload]
    /// By label key and value: ascending indices into `workloads`.
    private var postings: LabelPostings
    /// A named port (name, protocol) → ascending indices of the workloads that have it.
    private var portPostings: [PortName: [Int]]

    struct PortName: Hashable, Sendable {
        var name: String
        var proto: Proto
    }

    init(_ unsorted: [Workload]) {
        workloads = unsorted.sorted { ($0.name, $0.kind) < ($1.name, $1.kind) }
        var ports: [PortName: [Int]] = [:]
        for (i, w) in workloads.enumerated() {
            for p in w.namedPorts {
                let key = PortName(name: p.name, proto: p.proto)
                // A workload naming the same port twice is listed once.
                if ports[key]?.last != i { ports[key, default: []].append(i) }
            }
        }
        postings = LabelPostings(workloads.lazy.map(\.labels))
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
        return having.intersectingSorted(select(selector))
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
        postings.select(selector, count: workloads.count) { workloads[$0].labels }
    }
}
