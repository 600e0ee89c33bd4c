/// Two sorted lists walked side by side: what only the first holds, what
/// only the second holds, and what both hold, in sorted order. The diff of a
/// set's members and the entry deltas of an apply are both this walk.
enum SortedMerge {
    enum Side { case onlyFirst, onlySecond, both }

    static func walk<T: Comparable>(_ a: [T], _ b: [T], _ visit: (T, Side) -> Void) {
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { visit(a[i], .onlyFirst); i += 1 }
            else if i == a.count || b[j] < a[i] { visit(b[j], .onlySecond); j += 1 }
            else { visit(a[i], .both); i += 1; j += 1 }
        }
    }

    /// What only `a` holds and what only `b` holds, both sorted.
    static func difference<T: Comparable>(_ a: [T], _ b: [T]) -> (onlyA: [T], onlyB: [T]) {
        var onlyA: [T] = [], onlyB: [T] = []
        walk(a, b) { x, side in
            switch side {
            case .onlyFirst: onlyA.append(x)
            case .onlySecond: onlyB.append(x)
            case .both: break
            }
        }
        return (onlyA, onlyB)
    }
}
