/// IANA_SVC_NAME, as Kubernetes checks named ports (validation.IsValidPortName):
/// "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-);
/// must contain at least one letter; must not start or end with a hyphen,
/// nor contain adjacent hyphens; at most 15 characters".
enum PortName {
    /// Empty when valid.
    static func problems(_ name: String) -> [String] {
        if isValid(name) { return [] }
        let u = Array(name.utf8)
        var out: [String] = []
        let quoted = ScalarValue.quote(name)
        if u.isEmpty || u.count > 15 { out.append("port name \(quoted) must be 1 to 15 characters long") }
        if !u.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) {
            out.append("port name \(quoted) must consist of lower case letters, digits and '-'")
        }
        if !u.contains(where: { $0 >= 0x61 && $0 <= 0x7a }) {
            out.append("port name \(quoted) must contain at least one letter")
        }
        if u.first == UInt8(ascii: "-") || u.last == UInt8(ascii: "-") || name.contains("--") {
            out.append("port name \(quoted) must not start or end with '-' nor contain \"--\"")
        }
        return out
    }

    private static func isValid(_ name: String) -> Bool {
        var count = 0, letters = 0
        var previous: UInt8 = UInt8(ascii: "-")  // so a leading '-' fails like a double one
        for c in name.utf8 {
            count += 1
            if c >= 0x61 && c <= 0x7a { letters += 1 } else if c == UInt8(ascii: "-") {
                if previous == c { return false }
            } else if !(c >= 0x30 && c <= 0x39) { return false }
            previous = c
        }
        return count >= 1 && count <= 15 && letters > 0 && previous != UInt8(ascii: "-")
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
    }
}
