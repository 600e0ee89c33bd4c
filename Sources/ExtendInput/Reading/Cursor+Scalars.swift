import ExtendCore

/// Typed reads of scalars and of simple collections of them.
extension Cursor {
    func string() -> String? {
        switch scalar {
        case .string(let s): return s
        case .int, .otherNumber, .bool, .ambiguous:
            let text = tree.text(id) ?? ""
            typeError(expected: "a string", hint: "; quote it if it is meant as text: \(ScalarValue.quote(text))")
            return nil
        case .null, nil:
            typeError(expected: "a string")
            return nil
        }
    }

    /// A string that must not be empty.
    func nonEmptyString() -> String? {
        guard let s = string() else { return nil }
        if s.isEmpty { error("must not be empty"); return nil }
        return s
    }

    func int() -> Int? {
        switch scalar {
        case .int(let n): return n
        case .string(let s) where !s.isEmpty && s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            typeError(expected: "an integer", hint: "; write it without quotes: \(s)")
            return nil
        case .otherNumber:
            typeError(expected: "a whole number written in decimal")
            return nil
        default:
            typeError(expected: "an integer")
            return nil
        }
    }

    func bool() -> Bool? {
        if case .bool(let b) = scalar { return b }
        typeError(expected: "true or false")
        return nil
    }

    /// A list; each element gets its own cursor (`path[i]`).
    func list() -> [Cursor]? {
        guard tree.kind(id) == .sequence else {
            typeError(expected: "a list")
            return nil
        }
        return tree.items(id).map { at($0) }
    }

    /// A list of strings; bad elements are reported and left out.
    func stringList() -> [String]? {
        list()?.compactMap { $0.string() }
    }

    /// A mapping of strings to strings, such as labels.
    func stringMap() -> [String: String]? {
        guard let f = fields() else { return nil }
        var out: [String: String] = [:]
        out.reserveCapacity(f.count)
        for e in f.entries {
            if let value = tree.scalar(e.value) {
                switch value {
                case .string(let text): out[e.key] = text; continue
                // A null value is an empty string to Kubernetes' map[string]string.
                case .null: out[e.key] = ""; continue
                default: break
                }
            }
            out[e.key] = f.value(e).string() ?? ""
        }
        return out
    }
}

extension Cursor {
    /// `ssh.mode`: shell or restricted, exactly so spelt.
    func sshMode() -> SSHMode? {
        guard let s = string() else { return nil }
        if let m = SSHMode(rawValue: s) { return m }
        error("ssh mode \(ScalarValue.quote(s)) is not known; must be shell (extend runs its scripts in a shell) "
              + "or restricted (the key runs only netpol-extend-host; see extend host-bootstrap)")
        return nil
    }

    func enforcement() -> Enforcement? {
        guard let s = string() else { return nil }
        if let m = Enforcement(rawValue: s) { return m }
        error("enforcement \(ScalarValue.quote(s)) is not known; must be enforce (drop what the policies deny) "
              + "or audit (count it against the policies, log it with logDrops, and let it through)")
        return nil
    }
}
