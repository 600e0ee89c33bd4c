import Foundation

/// What a scalar means. Quoted scalars are always strings; a plain scalar is
/// read by the YAML 1.2 core schema, as Kubernetes and JSON read it, so
/// `port: "22"` is a string and `sudo: yes` is not a boolean.
enum ScalarValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A float, a non-decimal or out-of-range integer: never valid where we read numbers.
    case otherNumber(String)
    /// yes/no/on/off: booleans to YAML 1.1 readers (and so to kubectl), text to YAML 1.2.
    case ambiguous(String)
    case string(String)

    /// An unquoted scalar (a quoted one is `.string`).
    init(plain text: String) {
        self = ScalarValue.plain(text)
    }

    /// Whether an unquoted scalar is null: the cheap test for the common question.
    static func isNull(plain s: String) -> Bool {
        switch s.utf8.first {
        case nil: return true
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            return s == "~" || s == "null" || s == "Null" || s == "NULL"
        default: return false
        }
    }

    private static func plain(_ s: String) -> ScalarValue {
        // Most scalars are names: only these first characters can begin
        // anything but a string, so the rest skip the comparisons below.
        guard let first = s.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"),
             UInt8(ascii: "O"):
            break
        default:
            return .string(s)
        }
        if s.utf8.count > 5, first > UInt8(ascii: "9") { return .string(s) }
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF": return .ambiguous(s)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
             ".nan", ".NaN", ".NAN": return .otherNumber(s)
        default: break
        }
        let u = Array(s.utf8)
        guard let first = u.first, isDigit(first) || first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") else { return .string(s) }
        var body = u[...]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        if !body.isEmpty, body.allSatisfy(isDigit) {
            return Int(s).map(ScalarValue.int) ?? .otherNumber(s)
        }
        if s.hasPrefix("0x"), u.count > 2, u.dropFirst(2).allSatisfy(isHexDigit) { return .otherNumber(s) }
        if s.hasPrefix("0o"), u.count > 2, u.dropFirst(2).allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) { return .otherNumber(s) }
        return isFloat(body) ? .otherNumber(s) : .string(s)
    }

    /// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ b: ArraySlice<UInt8>) -> Bool {
        var i = b.startIndex
        var mantissaDigits = 0
        while i < b.endIndex, isDigit(b[i]) { i += 1; mantissaDigits += 1 }
        if i < b.endIndex, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.endIndex, isDigit(b[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < b.endIndex, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.endIndex, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
            var exponentDigits = 0
            while i < b.endIndex, isDigit(b[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == b.endIndex
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    /// How a message names this value: `the string "yes"`, `the number 22`.
    var described: String {
        switch self {
        case .null: "nothing (null)"
        case .bool(let b): "the boolean \(b)"
        case .int(let n): "the number \(n)"
        case .otherNumber(let s): "the number \(s)"
        case .ambiguous(let s): "\(s) (a boolean to YAML 1.1 readers such as kubectl)"
        case .string(let s): "the string \(ScalarValue.quote(s))"
        }
    }

    static func quote(_ s: String) -> String {
        let shown = s.count > 60 ? String(s.prefix(57)) + "..." : s
        return "\"" + shown.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
