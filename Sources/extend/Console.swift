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

    func json<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        out(String(decoding: try enc.encode(value), as: UTF8.self) + "\n")
    }
}
