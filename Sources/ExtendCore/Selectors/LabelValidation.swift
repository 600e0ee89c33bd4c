/// Kubernetes label syntax (apimachinery validation.IsQualifiedName and
/// IsValidLabelValue). Returns the problems, empty when valid.
public enum LabelValidation {
    /// "Valid label keys have two segments: an optional prefix and name,
    /// separated by a slash. The name segment is required and must be 63
    /// characters or less, beginning and ending with an alphanumeric character
    /// with dashes, underscores, dots, and alphanumerics between. The prefix is
    /// optional. If specified, the prefix must be a DNS subdomain."
    public static func keyProblems(_ key: String) -> [String] {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        var name = Substring(key)
        var out: [String] = []
        if parts.count > 2 { return ["label key \"\(key)\" has more than one '/'"] }
        if parts.count == 2 {
            let prefix = String(parts[0])
            name = parts[1]
            if prefix.isEmpty { out.append("label key \"\(key)\" has an empty prefix") }
            else if !isKeyPrefix(prefix) {
                out.append("label key prefix \"\(prefix)\" must be a DNS-1123 subdomain (lower case alphanumerics, '-' and '.', at most 253 characters)")
            }
        }
        if name.isEmpty { out.append("label key \"\(key)\" has an empty name") }
        else if name.count > 63 { out.append("label key name \"\(name)\" is longer than 63 characters") }
        else if !isQualifiedNamePart(name) {
            out.append("label key \"\(key)\" must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric")
        }
        return out
    }

    /// "Valid label value: must be 63 characters or less (can be empty), unless
    /// empty, must begin and end with an alphanumeric character ([a-z0-9A-Z]),
    /// could contain dashes (-), underscores (_), dots (.), and alphanumerics between."
    public static func valueProblems(_ value: String) -> [String] {
        if value.isEmpty { return [] }
        if value.count > 63 { return ["label value \"\(value)\" is longer than 63 characters"] }
        if !isQualifiedNamePart(Substring(value)) {
            return ["label value \"\(value)\" must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric"]
        }
        return []
    }

    public static func labelsProblems(_ labels: Labels) -> [String] {
        labels.sorted { $0.key < $1.key }.flatMap { keyProblems($0.key) + valueProblems($0.value) }
    }

    public static func selectorProblems(_ s: LabelSelector) -> [String] {
        var out = labelsProblems(s.matchLabels)
        for r in s.matchExpressions {
            out += keyProblems(r.key)
            switch r.op {
            case .in, .notIn:
                if r.values.isEmpty { out.append("matchExpressions: operator \(r.op.rawValue) on \"\(r.key)\" needs at least one value") }
                out += r.values.flatMap(valueProblems)
            case .exists, .doesNotExist:
                if !r.values.isEmpty { out.append("matchExpressions: operator \(r.op.rawValue) on \"\(r.key)\" takes no values") }
            }
        }
        return out
    }

    /// RFC 1123 label: what host names and namespace names must be.
    public static func isDNS1123Label(_ s: String) -> Bool {
        guard (1...63).contains(s.utf8.count) else { return false }
        let u = Array(s.utf8)
        guard isLowerAlnum(u[0]), isLowerAlnum(u[u.count - 1]) else { return false }
        return u.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    public static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard (1...253).contains(s.utf8.count) else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// A label key prefix as apimachinery checks it (IsDNS1123Subdomain): at
    /// most 253 characters, dot-separated parts of the label form — but the
    /// parts are not held to 63 characters ("isDNS1123LabelExceptMaxLength"),
    /// so a key the API server accepted is not refused here.
    private static func isKeyPrefix(_ s: String) -> Bool {
        guard (1...253).contains(s.utf8.count) else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let u = Array(part.utf8)
            guard let f = u.first, let l = u.last, isLowerAlnum(f), isLowerAlnum(l) else { return false }
            return u.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        isLowerAlnum(c) || (c >= 0x41 && c <= 0x5a)
    }

    private static func isQualifiedNamePart(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        guard let f = u.first, let l = u.last, isAlnum(f), isAlnum(l) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}
