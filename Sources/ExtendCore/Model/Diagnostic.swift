/// A problem found in the input, or a warning about a likely mistake. The
/// location names the file and line (or the object) it concerns.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible, Comparable {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case error, warning
        public static func < (a: Self, b: Self) -> Bool { a == .error && b == .warning }
    }
    public var severity: Severity
    public var location: String?
    public var message: String

    public init(_ severity: Severity, _ location: String?, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public static func error(_ location: String?, _ message: String) -> Diagnostic { .init(.error, location, message) }
    public static func warning(_ location: String?, _ message: String) -> Diagnostic { .init(.warning, location, message) }

    public var description: String {
        (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
    }

    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        (a.severity, a.location ?? "", a.message) < (b.severity, b.location ?? "", b.message)
    }
}
