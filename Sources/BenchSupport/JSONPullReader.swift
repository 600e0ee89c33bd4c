/// A JSON reader that pulls bytes from a source in chunks and lets the
/// caller walk the document by hand, skipping what it does not need without
/// building it: how the benchmark reads `extend render --output json` output
/// of gigabytes with a buffer of one megabyte.
final class JSONPullReader {
    typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

    private let source: Source
    private let buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var end = 0
    /// Bytes of the input before the buffer's first, for error offsets.
    private var before = 0
    private var atEOF = false

    /// `source` fills the buffer it is given and returns how many bytes it
    /// wrote; 0 is the end of the input.
    init(chunkSize: Int = 1 << 20, source: @escaping Source) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(16, chunkSize), alignment: 1)
    }

    deinit { buffer.deallocate() }

    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    /// The next byte that is not whitespace, not consumed; nil at the end.
    func peek() throws -> UInt8? {
        while true {
            while position < end {
                let b = buffer[position]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { return b }
            }
            guard try fill() else { return nil }
        }
    }

    func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    /// A string, escapes left as written (enough to tell strings apart).
    func string() throws -> String {
        try expect(Self.quote)
        var bytes: [UInt8] = []
        try stringBody { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func skipString() throws {
        try expect(Self.quote)
        try stringBody { _ in }
    }

    /// Reads up to the closing quote (the opening one consumed), handing each byte to `keep`.
    private func stringBody(_ keep: (UInt8) -> Void) throws {
        var escaped = false
        while true {
            while position < end {
                let b = buffer[position]
                position += 1
                if escaped {
                    escaped = false
                } else if b == Self.backslash {
                    escaped = true
                } else if b == Self.quote {
                    return
                }
                keep(b)
            }
            guard try fill() else { throw error("unterminated string") }
        }
    }

    /// `{ "key": value, … }`: `body` gets each key and must read its value.
    func object(_ body: (String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(key)
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// `[ value, … ]`: `body` must read each value.
    func array(_ body: () throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try body()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw error("expected ',' or ']'")
            }
        }
    }

    /// The number of values in an array, skipped.
    func count() throws -> Int {
        var n = 0
        try array {
            n += 1
            try skip()
        }
        return n
    }

    /// A non-negative integer, or nil for `null`.
    func optionalInt() throws -> Int? {
        guard let first = try peek() else { throw error("expected a number") }
        if first == UInt8(ascii: "n") {
            try skip()
            return nil
        }
        var n = 0, digits = 0
        while true {
            while position < end, buffer[position] >= 0x30, buffer[position] <= 0x39 {
                n = n * 10 + Int(buffer[position] - 0x30)
                digits += 1
                position += 1
            }
            if position < end { break }
            if try !fill() { break }
        }
        guard digits > 0 else { throw error("expected a number") }
        return n
    }

    /// Skips one value of any kind.
    func skip() throws {
        guard let first = try peek() else { throw error("expected a value") }
        switch first {
        case Self.quote:
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            position += 1
            var depth = 1
            while depth > 0 {
                if position == end { guard try fill() else { throw error("unterminated \(first == UInt8(ascii: "{") ? "object" : "array")") } }
                let b = buffer[position]
                position += 1
                switch b {
                case Self.quote: try stringBody { _ in }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
        default:
            // true, false, null or a number: up to the next delimiter.
            while true {
                while position < end {
                    switch buffer[position] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return
                    default: position += 1
                    }
                }
                guard try fill() else { return }
            }
        }
    }

    /// Fails unless only whitespace is left.
    func finish() throws {
        if try peek() != nil { throw error("more after the document") }
    }

    private func fill() throws -> Bool {
        if atEOF { return false }
        before += end
        position = 0
        end = 0
        let n = try source(buffer)
        if n <= 0 {
            atEOF = true
            return false
        }
        end = min(n, buffer.count)
        return true
    }

    func error(_ message: String) -> JSONScanError {
        JSONScanError(description: "\(message) at byte \(before + position)")
    }
}

public struct JSONScanError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
