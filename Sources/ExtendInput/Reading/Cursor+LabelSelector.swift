import ExtendCore

/// metav1.LabelSelector, read strictly: a bad operator names the allowed ones,
/// and keys and values are checked as the API server checks them.
extension Cursor {
    static let selectorKeys = ["matchLabels", "matchExpressions"]
    static let requirementKeys = ["key", "operator", "values"]

    func labelSelector() -> LabelSelector? {
        guard let f = fields() else { return nil }
        f.warnUnknown(known: Self.selectorKeys)
        let before = problems.errorCount
        var selector = LabelSelector()
        if let c = f["matchLabels"], let map = c.stringMap() {
            for problem in LabelValidation.labelsProblems(map) { c.error(problem) }
            selector.matchLabels = map
        }
        if let c = f["matchExpressions"], let list = c.list() {
            selector.matchExpressions = list.compactMap { $0.requirement() }
        }
        return problems.errorCount == before ? selector : nil
    }

    private func requirement() -> LabelSelector.Requirement? {
        guard let f = fields() else { return nil }
        f.warnUnknown(known: Self.requirementKeys)
        let key = f["key"].map { $0.string() } ?? { error("missing key: a match expression needs a label key"); return nil }()
        let op: LabelSelector.Requirement.Operator?
        if let c = f["operator"] {
            op = c.string().flatMap { text in
                if let op = LabelSelector.Requirement.Operator(rawValue: text) { return op }
                let allowed = LabelSelector.Requirement.Operator.allCases.map(\.rawValue)
                var message = "operator \(ScalarValue.quote(text)) is not valid; must be one of \(allowed.joined(separator: ", "))"
                if let guess = Suggestion.closest(to: text, among: allowed) { message += " (did you mean \(guess)?)" }
                c.error(message)
                return nil
            }
        } else {
            error("missing operator: must be one of In, NotIn, Exists, DoesNotExist")
            op = nil
        }
        let values = f["values"].map { $0.stringList() } ?? []
        guard let key, let op, let values else { return nil }
        let requirement = LabelSelector.Requirement(key: key, op: op, values: values)
        let problems = LabelValidation.selectorProblems(LabelSelector(matchExpressions: [requirement]))
        for problem in problems { error(problem) }
        return problems.isEmpty ? requirement : nil
    }
}
