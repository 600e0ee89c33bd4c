/// A key given twice in one mapping, found as Yams' composer found it: two
/// keys are the same node when scalars have the same text and tag (quoting
/// aside), collections the same contents and tag; an alias is what it names.
extension YAMLReader {
    /// A node as Yams compared it; `tag` nil for the standard str, seq or map.
    indirect enum Key: Hashable {
        case scalar(String, tag: String?)
        case mapping([Key], tag: String?)
        case sequence([Key], tag: String?)

        var tag: String? {
            switch self {
            case .scalar(_, let tag), .mapping(_, let tag), .sequence(_, let tag): return tag
            }
        }
    }

    /// A key given twice in the mapping about to close: every such key,
    /// sorted, at the first occurrence of the first of them.
    func duplicateKeys() -> SyntaxError? {
        let children = builder.openChildren
        guard children.count >= 4 else { return nil }
        let keySlots = stride(from: children.startIndex, to: children.endIndex - 1, by: 2)
        // Nearly always every key is an untagged scalar, compared by its text.
        if keySlots.allSatisfy({ slot in
            let id = children[slot]
            return builder.kind(id) != .mapping && builder.kind(id) != .sequence
                && (tags.isEmpty || tags[id] == nil) && (standsFor.isEmpty || standsFor[id] == nil)
        }) {
            return builder.duplicateScalarKeys()
        }
        let ids = keySlots.map { children[$0] }
        // Within the budget, as every key copied into the tree is; past it
        // (aliases as keys, after the budget ran out) the budget's error is
        // the one said, rather than expanding the keys without end.
        var allowed = budget
        var keys: [Key] = []
        for id in ids {
            guard let k = key(id, allowed: &allowed) else { return nil }
            keys.append(k)
        }
        var first: [Key: Int] = [:]
        var twice: [Int] = []
        for (i, k) in keys.enumerated() {
            if let f = first[k] {
                if !twice.contains(f) { twice.append(f) }
            } else {
                first[k] = i
            }
        }
        guard !twice.isEmpty else { return nil }
        let sorted = twice.sorted { Self.precedes(keys[$0], keys[$1]) }
        let at = builder.position(ids[sorted[0]])
        return .duplicateKeys(sorted.map { Self.string(keys[$0]) ?? "<uncovertable>" }, line: at.line, column: at.column)
    }

    /// A key as Yams compared it; nil past `allowed` nodes.
    func key(_ id: ID, allowed: inout Int) -> Key? {
        if let named = standsFor[id] { return key(named, allowed: &allowed) }
        allowed -= 1
        guard allowed >= 0 else { return nil }
        let kind = builder.kind(id)
        switch kind {
        case .plainScalar, .quotedScalar:
            return .scalar(builder.text(id) ?? "", tag: tags[id])
        case .mapping, .sequence:
            var children: [Key] = []
            for slot in builder.childSlots(id) {
                guard let child = key(builder.child(at: slot), allowed: &allowed) else { return nil }
                children.append(child)
            }
            return kind == .mapping ? .mapping(children, tag: tags[id]) : .sequence(children, tag: tags[id])
        }
    }

    /// Yams' order of nodes: scalars by text, collections by their entries'
    /// keys or their items; nodes of two kinds are not ordered.
    static func precedes(_ a: Key, _ b: Key) -> Bool {
        func lexicographic(_ x: [Key], _ y: [Key], by step: Int) -> Bool {
            for i in stride(from: 0, to: min(x.count, y.count), by: step) {
                if precedes(x[i], y[i]) { return true }
                if precedes(y[i], x[i]) { return false }
            }
            return x.count < y.count
        }
        switch (a, b) {
        case (.scalar(let x, _), .scalar(let y, _)): return x < y
        case (.mapping(let x, _), .mapping(let y, _)): return lexicographic(x, y, by: 2)
        case (.sequence(let x, _), .sequence(let y, _)): return lexicographic(x, y, by: 1)
        default: return false
        }
    }

    /// A key's name in the message, as Yams gave it: a scalar's text, a
    /// mapping's value under a key tagged `!!value`, or nothing.
    static func string(_ key: Key) -> String? {
        switch key {
        case .scalar(let text, _):
            return text
        case .mapping(let entries, _):
            for i in stride(from: 0, to: entries.count - 1, by: 2) {
                if entries[i].tag == "tag:yaml.org,2002:value" { return string(entries[i + 1]) }
            }
            return nil
        case .sequence:
            return nil
        }
    }
}
