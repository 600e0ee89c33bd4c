/// JSON text written by hand where an encoder costs too much: render's
/// output holds one value per host and per rule set, at cluster scale.
public enum JSONText {
    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    public static func quote(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7F:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// `["a","b"]`
    public static func array(_ items: [String]) -> String {
        "[" + items.map(quote).joined(separator: ",") + "]"
    }

    /// An object from (key, JSON value) pairs, keys sorted as `.sortedKeys` sorts them.
    public static func object(_ fields: [(key: String, value: String)]) -> String {
        "{" + fields.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }
}
