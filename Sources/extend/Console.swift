import ExtendCore
import Foundation

/// Where the CLI writes: results on stdout, diagnostics on stderr.
struct Console: Sendable {
    var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Results. SIGPIPE is ignored (see `Extend.main`), so a reader that went
    /// away (`extend render | head`) or a full disk shows up here as an error:
    /// end with exit code 1 instead of trapping in Foundation's `write(_:)`.
    func out(_ s: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(s.utf8))
        } catch {
            // A closed pipe needs no message: its reader has all it wanted.
            let ns = error as NSError
            let cause = ns.userInfo[NSUnderlyingErrorKey] as? NSError ?? ns
            if !(cause.domain == NSPOSIXErrorDomain && cause.code == Int(EPIPE)) {
                note("extend: cannot write to standard output: \(cause.localizedDescription)")
            }
            exit(1)
        }
    }

    func error(_ s: String) {
        note("extend: " + s)
    }

    /// Diagnostics; if stderr itself is gone there is nobody left to tell.
    func note(_ s: String) {
        try? FileHandle.standardError.write(contentsOf: Data((s + "\n").utf8))
    }

    /// Warnings of one kind beyond this many are counted, not listed (`--all-warnings` lists them).
    var warningLimit: Int? = 3

    func report(_ ds: [Diagnostic]) {
        guard !ds.isEmpty else { return }
        note(Diagnostic.reportLines(ds, limit: warningLimit).joined(separator: "\n"))
    }

    /// A live progress line on a terminal (stderr), cleared with nil.
    func progress(_ line: String?) {
        try? FileHandle.standardError.write(contentsOf: Data(("\r\u{1B}[2K" + (line ?? "")).utf8))
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

extension Console {
    init(common: CommonOptions) {
        warningLimit = common.allWarnings ? nil : 3
    }
}

/// Standard output in large writes: a fleet's render is many small strings.
final class BufferedOutput {
    private let console: Console
    private var buffer = ""
    private let threshold = 1 << 18

    init(_ console: Console) {
        self.console = console
        buffer.reserveCapacity(threshold + 4096)
    }

    func write(_ s: String) {
        buffer += s
        if buffer.utf8.count >= threshold { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        console.out(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
