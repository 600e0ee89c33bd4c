/// The check that needs a whole mapping, for both readers: a key given twice.
extension TreeBuilder {
    /// A key given twice in the mapping about to close, when every key is a
    /// scalar (as in JSON, and in nearly all YAML), reported as Yams reports
    /// it: every such key, sorted, at the first occurrence of the first of
    /// them. Keys compare as Swift strings (canonically equivalent spellings
    /// are the same key), as Yams compares them.
    func duplicateScalarKeys() -> SyntaxError? {
        let children = openChildren
        let n = children.count / 2
        guard n > 1 else { return nil }
        let base = children.startIndex
        func key(_ i: Int) -> String { text(children[base + 2 * i]) ?? "" }
        // Mappings are small: comparing pairs is cheaper than hashing, up to a point.
        if n <= 16 {
            var any = false
            search: for i in 0..<(n - 1) {
                let k = key(i)
                for j in (i + 1)..<n where key(j) == k {
                    any = true
                    break search
                }
            }
            guard any else { return nil }
        }
        var first: [String: DocumentTree.ID] = [:]
        var twice: Set<String> = []
        for i in 0..<n {
            let k = key(i)
            // Named as first written: two spellings of one key (é, e + ◌́) are one key.
            if let f = first[k] { twice.insert(text(f) ?? k) } else { first[k] = children[base + 2 * i] }
        }
        let sorted = twice.sorted()
        guard let smallest = sorted.first, let id = first[smallest] else { return nil }
        let at = position(id)
        return .duplicateKeys(sorted, line: at.line, column: at.column)
    }
}
