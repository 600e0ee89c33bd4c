/// Postings over the world's workloads, built in one pass: each namespace's
/// range in `World.workloads`, and per namespace, label key and value, the
/// indices of the workloads that carry it. A selector is answered from its
/// most selective positive requirement, then checked in full on those few
/// candidates, instead of testing every workload of the namespace.
struct WorkloadIndex: Sendable {
    let ranges: [String: Range<Int>]
    /// namespace → key → value → ascending indices.
    let postings: [String: [String: [String: [Int]]]]

    init(_ workloads: [Workload]) {
        var ranges: [String: Range<Int>] = [:]
        var postings: [String: [String: [String: [Int]]]] = [:]
        var start = 0
        while start < workloads.count {
            let ns = workloads[start].namespace
            var end = start
            var keys: [String: [String: [Int]]] = [:]
            while end < workloads.count && workloads[end].namespace == ns {
                for (k, v) in workloads[end].labels { keys[k, default: [:]][v, default: []].append(end) }
                end += 1
            }
            ranges[ns] = start..<end
            postings[ns] = keys
            start = end
        }
        self.ranges = ranges
        self.postings = postings
    }

    /// Ascending indices of the workloads of `namespace` that `selector` matches.
    func select(_ selector: LabelSelector, in namespace: String, of workloads: [Workload]) -> [Int] {
        guard let range = ranges[namespace] else { return [] }
        let keys = postings[namespace] ?? [:]
        var best: [Int]?
        func consider(_ c: [Int]) { if best == nil || c.count < best?.count ?? 0 { best = c } }
        for (k, v) in selector.matchLabels {
            guard let hit = keys[k]?[v] else { return [] }
            consider(hit)
        }
        for r in selector.matchExpressions {
            switch r.op {
            case .in:
                let lists = r.values.compactMap { keys[r.key]?[$0] }
                if lists.isEmpty { return [] }
                consider(lists.count == 1 ? lists[0] : Array(Set(lists.joined())).sorted())
            case .exists:
                guard let values = keys[r.key] else { return [] }
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
        if selector.isEmpty { return Array(range) }
        return range.filter { selector.matches(workloads[$0].labels) }
    }
}
