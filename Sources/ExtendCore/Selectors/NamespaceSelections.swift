/// The namespaces each namespace selector picks, memoised: one selector
/// (`env: live`) recurs across many policies, and each answer tests every
/// namespace. Forget it when a namespace is added, relabelled or removed.
struct NamespaceSelections {
    private var memo: [LabelSelector: [String]] = [:]

    /// "namespaceSelector ... selects namespaces using cluster-scoped labels";
    /// absent, "the policy's own namespace".
    mutating func namespaces(for nsSel: LabelSelector?, policyNamespace: String,
                             in selection: @autoclosure () -> Selection) -> [String] {
        guard let nsSel else { return [policyNamespace] }
        if let hit = memo[nsSel] { return hit }
        let out = selection().namespaces(for: nsSel, policyNamespace: policyNamespace)
        memo[nsSel] = out
        return out
    }

    mutating func forget() { memo = [:] }
}
