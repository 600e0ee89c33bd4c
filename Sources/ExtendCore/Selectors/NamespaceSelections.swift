/// The namespaces each namespace selector picks, memoised: one selector
/// (`env: live`) recurs across many policies. A selector not seen before is
/// answered from the namespaces' label postings, built on the first one.
/// Forget both when a namespace is added, relabelled or removed.
struct NamespaceSelections {
    private var memo: [LabelSelector: [String]] = [:]
    private var index: (names: [String], labels: [Labels], postings: LabelPostings)?

    /// "namespaceSelector ... selects namespaces using cluster-scoped labels";
    /// absent, "the policy's own namespace".
    mutating func namespaces(for nsSel: LabelSelector?, policyNamespace: String,
                             in selection: @autoclosure () -> Selection) -> [String] {
        guard let nsSel else { return [policyNamespace] }
        if let hit = memo[nsSel] { return hit }
        if index == nil {
            let world = selection().world
            let labels = world.namespaceNames.map { world.namespaces[$0]?.labels ?? [:] }
            index = (world.namespaceNames, labels, LabelPostings(labels))
        }
        guard let (names, labels, postings) = index else { return [] }
        let out = postings.select(nsSel, count: names.count) { labels[$0] }.map { names[$0] }
        memo[nsSel] = out
        return out
    }

    mutating func forget() {
        memo = [:]
        index = nil
    }
}
