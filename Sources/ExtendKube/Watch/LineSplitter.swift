/// Cuts a byte stream into lines: the API server writes one JSON event per
/// line, but chunks and reads need not end where a line does.
struct LineSplitter {
    private var pending: [UInt8] = []

    /// The lines completed by `bytes`, without their `\n` (or `\r\n`); blank lines are skipped.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            pending.append(contentsOf: bytes[start..<i])
            if let line = take() { lines.append(line) }
            start = i + 1
        }
        pending.append(contentsOf: bytes[start...])
        return lines
    }

    /// What is left after the last newline, at the end of the stream.
    mutating func finish() -> String? { take() }

    private mutating func take() -> String? {
        defer { pending.removeAll(keepingCapacity: true) }
        var end = pending.count
        if end > 0, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard pending[..<end].contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return nil }
        return String(decoding: pending[..<end], as: UTF8.self)
    }
}
