/// Strict JSON (RFC 8259) read straight from the file's bytes into a
/// `DocumentTree`, counting lines and columns on the way as the YAML reader
/// does (the column in characters), so a bad value in a JSON file is named at
/// the same `FILE:LINE:COLUMN` either way. What JSON forbids is an error here
/// even where YAML would allow it: comments, single quotes, a trailing comma,
/// bare words. A string is a quoted scalar, a number or true, false or null a
/// plain one: the same scalars Yams gives for the same text.
struct JSONReader {
    /// As deep as libyaml lets YAML nest.
    static let maxDepth = 1000

    /// The documents of `text`: none when it is only whitespace, else one.
    static func read(_ text: String, file: String) throws(SyntaxError) -> DocumentTree {
        var text = text
        text.makeContiguousUTF8()
        let read = { (bytes: UnsafeBufferPointer<UInt8>) -> Result<DocumentTree, SyntaxError> in
            var reader = JSONReader(bytes: bytes)
            do throws(SyntaxError) {
                try reader.document()
            } catch {
                return .failure(error)
            }
            return .success(reader.builder.finish(file: file))
        }
        let result = text.utf8.withContiguousStorageIfAvailable(read) ?? Array(text.utf8).withUnsafeBufferPointer(read)
        return try result.get()
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    var p = 0
    var line = 1
    /// Where the current line begins.
    var lineStart = 0
    /// UTF-8 continuation bytes between `lineStart` and `p`: a column counts characters, not bytes.
    var continuation = 0
    var builder: TreeBuilder
    /// The open objects and arrays, innermost last, with where each begins (for messages).
    var open: [(object: Bool, line: Int, column: Int)] = []

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // Compact JSON of Kubernetes objects has a node in every eight bytes
        // or so, kubectl's indented output one in 25: enough room for the
        // first, and reserved room is only address space until it is used.
        builder = TreeBuilder(expectedNodes: bytes.count / 7)
    }

    var column: Int { p - lineStart - continuation + 1 }

    private mutating func document() throws(SyntaxError) {
        skipWhitespace()
        guard p < bytes.count else { return }
        try value()
        skipWhitespace()
        if p < bytes.count {
            throw error("found \(found) after the end of the JSON value; a file holds one value (several objects go in the items of a kind: List)")
        }
    }

    /// One value, objects and arrays read with a stack rather than recursion.
    private mutating func value() throws(SyntaxError) {
        var expectingValue = true
        while true {
            if expectingValue {
                skipWhitespace()
                guard p < bytes.count else { throw endOfFile(expected: "a value") }
                switch bytes[p] {
                case UInt8(ascii: "{"):
                    try begin(object: true)
                    skipWhitespace()
                    if p < bytes.count, bytes[p] == UInt8(ascii: "}") {
                        try end()
                        expectingValue = false
                    } else {
                        try key()
                    }
                    continue
                case UInt8(ascii: "["):
                    try begin(object: false)
                    skipWhitespace()
                    if p < bytes.count, bytes[p] == UInt8(ascii: "]") {
                        try end()
                        expectingValue = false
                    }
                    continue
                case UInt8(ascii: "\""):
                    try string()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try number()
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    try literal()
                default:
                    throw unexpected(expected: "a value (an object, array, string, number, true, false or null)")
                }
                expectingValue = false
            } else {
                guard let top = open.last else { return }
                skipWhitespace()
                let close = top.object ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard p < bytes.count else { throw endOfFile(expected: "',' or '\(Character(Unicode.Scalar(close)))'") }
                if bytes[p] == UInt8(ascii: ",") {
                    let comma = (line: line, column: column)
                    p += 1
                    skipWhitespace()
                    if p < bytes.count, bytes[p] == close {
                        throw SyntaxError(line: comma.line, column: comma.column,
                                          message: "invalid JSON: a comma after the last \(top.object ? "member of an object" : "element of an array"); JSON allows none, remove it")
                    }
                    if top.object { try key() }
                    expectingValue = true
                } else if bytes[p] == close {
                    try end()
                } else {
                    let after = top.object ? "a member" : "an element"
                    throw unexpected(expected: "',' or '\(Character(Unicode.Scalar(close)))' after \(after) of the \(top.object ? "object" : "array") at line \(top.line), column \(top.column)")
                }
            }
        }
    }

    private mutating func begin(object: Bool) throws(SyntaxError) {
        guard open.count < Self.maxDepth else {
            throw error("objects and arrays nest deeper than \(Self.maxDepth) levels")
        }
        open.append((object, line, column))
        builder.begin(object ? .mapping : .sequence, line: line, column: column)
        p += 1
    }

    private mutating func end() throws(SyntaxError) {
        if let top = open.last, top.object, let duplicate = builder.duplicateScalarKeys() { throw duplicate }
        open.removeLast()
        builder.end()
        p += 1
    }

    /// A member's key and its colon; whitespace before it is skipped.
    private mutating func key() throws(SyntaxError) {
        guard p < bytes.count else { throw endOfFile(expected: "a key in double quotes") }
        guard bytes[p] == UInt8(ascii: "\"") else { throw unexpected(expected: "a key in double quotes") }
        try string()
        skipWhitespace()
        guard p < bytes.count else { throw endOfFile(expected: "':' after the key") }
        guard bytes[p] == UInt8(ascii: ":") else { throw unexpected(expected: "':' after the key") }
        p += 1
    }

    /// JSON's whitespace; CR LF, CR and LF each end a line.
    mutating func skipWhitespace() {
        while p < bytes.count {
            switch bytes[p] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                p += 1
            case UInt8(ascii: "\n"):
                p += 1
                newLine()
            case UInt8(ascii: "\r"):
                p += 1
                if p < bytes.count, bytes[p] == UInt8(ascii: "\n") { p += 1 }
                newLine()
            default:
                return
            }
        }
    }

    private mutating func newLine() {
        line += 1
        lineStart = p
        continuation = 0
    }
}
