import Yams

/// The entries of a YAML mapping, by key. A key given as null reads as absent,
/// as it does for Kubernetes (an omitted pointer or slice and an explicit null
/// are the same thing). Cursors and locations are made only for the entries
/// read: Kubernetes objects carry many fields this tool never looks at.
struct Fields {
    struct Entry {
        let key: String
        let keyNode: Node
        let value: Node
    }

    let cursor: Cursor
    /// In the order written.
    let entries: [Entry]

    static func empty(at cursor: Cursor) -> Fields { Fields(cursor: cursor, entries: []) }

    var count: Int { entries.count }

    /// nil when absent or null.
    subscript(_ key: String) -> Cursor? {
        for e in entries where e.key == key {
            if case .scalar(let s) = e.value, ScalarValue(s) == .null { return nil }
            return cursor.child(e.value, key: key)
        }
        return nil
    }

    func contains(_ key: String) -> Bool { self[key] != nil }

    /// Whether the key is written at all, even as null.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func value(_ e: Entry) -> Cursor { cursor.child(e.value, key: e.key) }

    func keyLocation(_ e: Entry) -> String {
        Cursor(node: e.keyNode, file: cursor.file, path: cursor.path, problems: cursor.problems).location
    }
}

extension Cursor {
    /// This node as a mapping. With `allowed`, any other key is an error at
    /// the key's position, naming the allowed keys (and the likely intended
    /// one), because a typo must never silently change a firewall.
    func fields(allowed: [String]? = nil) -> Fields? {
        guard case .mapping(let mapping) = node else {
            typeError(expected: "a mapping")
            return nil
        }
        var entries: [Fields.Entry] = []
        entries.reserveCapacity(mapping.count)
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                let keyCursor = Cursor(node: keyNode, file: file, path: path, problems: problems)
                keyCursor.error("a key must be a plain string, not \(keyCursor.described)")
                continue
            }
            let key = keyScalar.string
            if key == "<<" && keyScalar.style == .plain {
                Cursor(node: keyNode, file: file, path: path, problems: problems)
                    .error("YAML merge keys (<<) are not supported; write the keys out")
                continue
            }
            if let allowed, !allowed.contains(key) {
                var message = "unknown key \(ScalarValue.quote(key)) in \(place) (allowed: \(allowed.joined(separator: ", ")))"
                if let guess = Suggestion.closest(to: key, among: allowed) { message += "; did you mean \"\(guess)\"?" }
                problems.error(Cursor(node: keyNode, file: file, path: path, problems: problems).location, message)
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
