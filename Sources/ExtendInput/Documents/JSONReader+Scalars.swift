/// Strings, numbers and the literals true, false and null.
extension JSONReader {
    /// A string, as a quoted scalar. Most have no escape: their bytes are the text.
    mutating func string() throws(SyntaxError) {
        let at = (line: line, column: column)
        let start = p + 1
        var i = start
        var wide = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                continuation += wide
                p = i + 1
                builder.scalar(text, quoted: true, line: at.line, column: at.column)
                return
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b & 0xC0 == 0x80 { wide += 1 }
            i += 1
        }
        continuation += wide
        p = i
        var text = Array(bytes[start..<i])
        try escapedString(into: &text, openedAt: at)
        builder.scalar(String(decoding: text, as: UTF8.self), quoted: true, line: at.line, column: at.column)
    }

    /// The rest of a string from its first escape (or first problem) to the closing quote.
    private mutating func escapedString(into text: inout [UInt8], openedAt at: (line: Int, column: Int)) throws(SyntaxError) {
        while p < bytes.count {
            let b = bytes[p]
            switch b {
            case UInt8(ascii: "\""):
                p += 1
                return
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw SyntaxError(line: at.line, column: at.column,
                                  message: "invalid JSON: unterminated string: the line ends before the closing quote (a line break inside a string is written \\n)")
            case 0..<0x20:
                throw error("control character \(Self.describe(scalar: UInt32(b))) must be escaped in a string (as \\u\(Self.hex4(UInt32(b))))")
            default:
                if b & 0xC0 == 0x80 { continuation += 1 }
                text.append(b)
                p += 1
            }
        }
        throw SyntaxError(line: at.line, column: at.column,
                          message: "invalid JSON: unterminated string: the file ends before the closing quote")
    }

    /// One escape sequence, from its backslash.
    private mutating func escape(into text: inout [UInt8]) throws(SyntaxError) {
        let backslash = (line: line, column: column)
        guard p + 1 < bytes.count else {
            throw error("the file ends inside an escape sequence")
        }
        let c = bytes[p + 1]
        let simple: UInt8?
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = c
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default:
            p += 1
            let what = (0x21..<0x7F).contains(c) ? "\\\(Character(Unicode.Scalar(c)))" : "a backslash before \(found)"
            throw SyntaxError(line: backslash.line, column: backslash.column,
                              message: "invalid JSON: \(what) is not an escape sequence; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (a backslash itself is written \\\\)")
        }
        if let simple {
            text.append(simple)
            p += 2
            return
        }
        guard let unit = hexUnit(at: p + 2) else {
            throw SyntaxError(line: backslash.line, column: backslash.column,
                              message: "invalid JSON: \\u must be followed by four hexadecimal digits")
        }
        p += 6
        var scalar = unit
        if (0xD800...0xDBFF).contains(unit) {
            // A character beyond U+FFFF is written as a UTF-16 surrogate pair.
            guard p + 1 < bytes.count, bytes[p] == UInt8(ascii: "\\"), bytes[p + 1] == UInt8(ascii: "u"),
                  let low = hexUnit(at: p + 2), (0xDC00...0xDFFF).contains(low) else {
                throw SyntaxError(line: backslash.line, column: backslash.column,
                                  message: "invalid JSON: \\u\(Self.hex4(unit)) is the first half of a UTF-16 surrogate pair, but the second half (\\uDC00-\\uDFFF) does not follow")
            }
            p += 6
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw SyntaxError(line: backslash.line, column: backslash.column,
                              message: "invalid JSON: \\u\(Self.hex4(unit)) is the second half of a UTF-16 surrogate pair without its first half")
        }
        guard let s = Unicode.Scalar(scalar) else { return }
        UTF8.encode(s) { text.append($0) }
    }

    private func hexUnit(at i: Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for b in bytes[i..<i + 4] {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [-+]? [0-9]+)?`, as a plain scalar.
    mutating func number() throws(SyntaxError) {
        let at = (line: line, column: column)
        let start = p
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if bytes[p] == UInt8(ascii: "-") {
            p += 1
            guard isDigit(p) else { throw error("expected a digit after '-', found \(found)") }
        }
        if bytes[p] == UInt8(ascii: "0") {
            p += 1
            if isDigit(p) {
                throw SyntaxError(line: at.line, column: at.column,
                                  message: "invalid JSON: a number must not begin with 0 (leading zeros are not allowed)")
            }
        } else {
            while isDigit(p) { p += 1 }
        }
        if p < bytes.count, bytes[p] == UInt8(ascii: ".") {
            p += 1
            guard isDigit(p) else { throw error("expected a digit after the decimal point, found \(found)") }
            while isDigit(p) { p += 1 }
        }
        if p < bytes.count, bytes[p] == UInt8(ascii: "e") || bytes[p] == UInt8(ascii: "E") {
            p += 1
            if p < bytes.count, bytes[p] == UInt8(ascii: "-") || bytes[p] == UInt8(ascii: "+") { p += 1 }
            guard isDigit(p) else { throw error("expected a digit in the exponent, found \(found)") }
            while isDigit(p) { p += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<p]), as: UTF8.self)
        builder.scalar(text, quoted: false, line: at.line, column: at.column)
    }

    /// true, false or null, as a plain scalar; any other bare word is an error.
    mutating func literal() throws(SyntaxError) {
        let at = (line: line, column: column)
        let word: String
        switch bytes[p] {
        case UInt8(ascii: "t"): word = "true"
        case UInt8(ascii: "f"): word = "false"
        default: word = "null"
        }
        let n = word.utf8.count
        // `nullx` is one bad word, not null and then an x.
        guard p + n <= bytes.count, bytes[p..<p + n].elementsEqual(word.utf8),
              p + n == bytes.count || !Self.isWordByte(bytes[p + n]) else {
            throw error("\(found) is not a JSON value; a string is written in double quotes, and the only bare words are true, false and null")
        }
        p += n
        builder.scalar(word, quoted: false, line: at.line, column: at.column)
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }
}
