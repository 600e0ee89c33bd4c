/// Label postings over a list of labelled things (a namespace's workloads,
/// the cluster's namespaces): key → value → ascending indices. A selector is
/// answered from its most selective positive requirement, then checked in
/// full on those few candidates, instead of testing every item.
struct LabelPostings: Sendable {
    private var postings: [String: [String: [Int]]] = [:]

    init<S: Sequence>(_ labels: S) where S.Element == Labels {
        for (i, l) in labels.enumerated() {
            for (k, v) in l { postings[k, default: [:]][v, default: []].append(i) }
        }
    }

    /// Ascending indices of the items that `selector` matches, of `count`
    /// items whose labels `labels` gives by index.
    func select(_ selector: LabelSelector, count: Int, labels: (Int) -> Labels) -> [Int] {
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
            return best.filter { selector.matches(labels($0)) }
        }
        if selector.isEmpty { return Array(0..<count) }
        return (0..<count).filter { selector.matches(labels($0)) }
    }
}

extension Array where Element == Int {
    /// The indices in both of two ascending lists.
    func intersectingSorted(_ other: [Int]) -> [Int] {
        var out: [Int] = []
        var i = 0, j = 0
        while i < count && j < other.count {
            if self[i] < other[j] { i += 1 } else if other[j] < self[i] { j += 1 } else {
                out.append(self[i])
                i += 1
                j += 1
            }
        }
        return out
    }
}
