/// How the JSON reader says what is wrong.
extension JSONReader {
    /// A problem at the current position.
    func error(_ problem: String) -> SyntaxError {
        SyntaxError(line: line, column: column, message: "invalid JSON: \(problem)")
    }

    func unexpected(expected: String) -> SyntaxError {
        let hint = p < bytes.count && bytes[p] == UInt8(ascii: "'") ? "; JSON strings are written in double quotes" : ""
        return error("expected \(expected), found \(found)\(hint)")
    }

    func endOfFile(expected: String) -> SyntaxError {
        var problem = "the file ends where \(expected) should follow"
        if let top = open.last {
            problem += " (the \(top.object ? "object" : "array") at line \(top.line), column \(top.column) is not closed)"
        }
        return error(problem)
    }

    /// What is at the current position, for messages: a bare word whole, a
    /// character in quotes, a control character by its code point.
    var found: String {
        guard p < bytes.count else { return "the end of the file" }
        let b = bytes[p]
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            var end = p
            while end < bytes.count, end - p < 40, Self.isWordByte(bytes[end]) { end += 1 }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[p..<end]), as: UTF8.self) + "'"
        case UInt8(ascii: "'"):
            return "a single quote (')"
        case 0..<0x20, 0x7F:
            return "control character \(Self.describe(scalar: UInt32(b)))"
        case 0x20..<0x7F:
            return "'\(Character(Unicode.Scalar(b)))'"
        default:
            var iterator = bytes[p...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let s) = decoder.decode(&iterator) else { return "byte 0x\(String(b, radix: 16))" }
            return "'\(Character(s))' (\(Self.describe(scalar: s.value)))"
        }
    }

    /// `U+0009`.
    static func describe(scalar: UInt32) -> String { "U+" + hex4(scalar) }

    /// At least four upper-case hexadecimal digits.
    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
