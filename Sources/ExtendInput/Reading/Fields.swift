/// The entries of a mapping, by key. A key given as null reads as absent,
/// as it does for Kubernetes (an omitted pointer or slice and an explicit null
/// are the same thing). Cursors and locations are made only for the entries
/// read: Kubernetes objects carry many fields this tool never looks at.
struct Fields {
    struct Entry {
        let key: String
        let keyNode: DocumentTree.ID
        let value: DocumentTree.ID
    }

    let cursor: Cursor
    /// In the order written.
    let entries: [Entry]

    static func empty(at cursor: Cursor) -> Fields { Fields(cursor: cursor, entries: []) }

    var count: Int { entries.count }

    /// nil when absent or null.
    subscript(_ key: String) -> Cursor? {
        for e in entries where e.key == key {
            if cursor.tree.isNull(e.value) { return nil }
            return cursor.at(e.value)
        }
        return nil
    }

    func contains(_ key: String) -> Bool { self[key] != nil }

    /// Whether the key is written at all, even as null.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func value(_ e: Entry) -> Cursor { cursor.at(e.value) }

    func keyLocation(_ e: Entry) -> String {
        cursor.at(e.keyNode).location
    }
}

extension Cursor {
    /// This node as a mapping. With `allowed`, any other key is an error at
    /// the key's position, naming the allowed keys (and the likely intended
    /// one), because a typo must never silently change a firewall.
    func fields(allowed: [String]? = nil) -> Fields? {
        guard tree.kind(id) == .mapping else {
            typeError(expected: "a mapping")
            return nil
        }
        let mapping = tree.entries(id)
        var entries: [Fields.Entry] = []
        entries.reserveCapacity(mapping.count)
        for (keyNode, valueNode) in mapping {
            guard let key = tree.text(keyNode) else {
                let keyCursor = at(keyNode)
                keyCursor.error("a key must be a plain string, not \(keyCursor.described)")
                continue
            }
            if key == "<<" && tree.kind(keyNode) == .plainScalar {
                at(keyNode).error("YAML merge keys (<<) are not supported; write the keys out")
                continue
            }
            if let allowed, !allowed.contains(key) {
                var message = "unknown key \(ScalarValue.quote(key)) in \(place) (allowed: \(allowed.joined(separator: ", ")))"
                if let guess = Suggestion.closest(to: key, among: allowed) { message += "; did you mean \"\(guess)\"?" }
                problems.error(at(keyNode).location, message)
                continue
            }
            entries.append(Fields.Entry(key: key, keyNode: keyNode, value: valueNode))
        }
        return Fields(cursor: self, entries: entries)
    }
}

extension Fields {
    /// Kubernetes objects may carry fields this tool does not read, but inside
    /// a policy's spec an unknown field is most likely a typo that changes what
    /// the policy allows (`form:` for `from:` admits everyone): say so.
    func warnUnknown(known: [String]) {
        for e in entries where !known.contains(e.key) {
            var message = "unknown field \(ScalarValue.quote(e.key)) in \(cursor.place) is ignored (known: \(known.joined(separator: ", ")))"
            if let guess = Suggestion.closest(to: e.key, among: known) { message += "; did you mean \"\(guess)\"?" }
            cursor.problems.warning(keyLocation(e), message)
        }
    }
}
