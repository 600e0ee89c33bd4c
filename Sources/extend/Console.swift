import ExtendCore
import Foundation

/// Where the CLI writes: results on stdout, diagnostics on stderr.
struct Console: Sendable {
    var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func out(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    func error(_ s: String) {
        FileHandle.standardError.write(Data(("extend: " + s + "\n").utf8))
    }

    func note(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    func report(_ ds: [Diagnostic]) {
        for d in ds.sorted() { note(d.description) }
    }

    /// A live progress line on a terminal (stderr), cleared with nil.
    func progress(_ line: String?) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + (line ?? "")).utf8))
    }

    /// Colours a diff's +/- lines when stdout is a terminal.
    func colorDiff(_ diff: String) -> String {
        guard isTerminal else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("+") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("-") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            if line.hasPrefix("@@") { return "\u{1B}[36m\(line)\u{1B}[0m" }
            return String(line)
        }.joined(separator: "\n")
    }

    func json<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        out(String(decoding: try enc.encode(value), as: UTF8.self) + "\n")
    }
}
