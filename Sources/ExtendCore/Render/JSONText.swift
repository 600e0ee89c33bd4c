/// JSON text written by hand where an encoder costs too much: render's
/// output holds one value per host and per rule set, at cluster scale.
public enum JSONText {
    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    public static func quote(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        // Byte by byte (a rule's quoted comment takes this path): UTF-8
        // passes through as it is, only ASCII needs escaping.
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(s.utf8.count + 8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                let hex = Array(String(b, radix: 16).utf8)
                out += Array("\\u".utf8) + Array(repeating: UInt8(ascii: "0"), count: 4 - hex.count) + hex
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
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
