/// How the JSON reader says what is wrong, and the one check that needs a
/// whole object: a key given twice.
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

    /// A key given twice in the object about to close, reported as Yams
    /// reports it in YAML: every such key, sorted, at the first occurrence of
    /// the first of them. Keys compare as Swift strings (canonically
    /// equivalent spellings are the same key), as Yams compares them.
    func duplicateKeys() -> SyntaxError? {
        let children = builder.openChildren
        let n = children.count / 2
        guard n > 1 else { return nil }
        let base = children.startIndex
        func key(_ i: Int) -> String { builder.text(children[base + 2 * i]) ?? "" }
        // Objects are small: comparing pairs is cheaper than hashing, up to a point.
        if n <= 16 {
            var any = false
            search: for i in 0..<(n - 1) {
                let k = key(i)
                for j in (i + 1)..<n where key(j) == k {
                    any = true
                    break search
                }
            }
            guard any else { return nil }
        }
        var first: [String: DocumentTree.ID] = [:]
        var twice: Set<String> = []
        for i in 0..<n {
            let k = key(i)
            if first[k] == nil { first[k] = children[base + 2 * i] } else { twice.insert(k) }
        }
        let sorted = twice.sorted()
        guard let smallest = sorted.first, let id = first[smallest] else { return nil }
        let at = builder.position(id)
        return .duplicateKeys(sorted, line: at.line, column: at.column)
    }
}
