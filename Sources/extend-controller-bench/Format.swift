import Foundation

/// How figures are printed in the table and the progress lines.
enum Format {
    static func seconds(_ d: Duration) -> String { String(format: "%.2f s", d.seconds) }
    static func millis(_ d: Duration) -> String {
        d.milliseconds < 10 ? String(format: "%.1f ms", d.milliseconds) : String(format: "%.0f ms", d.milliseconds)
    }
    static func megabytes(_ kb: Int) -> String { String(format: "%.0f MB", Double(kb) / 1024) }
    static func bytes(_ n: Int) -> String { String(format: "%.1f MB", Double(n) / 1_048_576) }
}

/// Progress on stderr; the table alone goes to stdout.
enum Log {
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
