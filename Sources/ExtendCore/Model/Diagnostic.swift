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
    /// What kind of problem this is (`peer-selects-nothing`), so that many of
    /// one kind can be reported as a group; nil for one of a kind.
    public var code: String?

    public init(_ severity: Severity, _ location: String?, _ message: String, code: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.code = code
    }

    public static func error(_ location: String?, _ message: String) -> Diagnostic { .init(.error, location, message) }
    public static func warning(_ location: String?, _ message: String) -> Diagnostic { .init(.warning, location, message) }
    public static func warning(_ location: String?, code: String, _ message: String) -> Diagnostic {
        .init(.warning, location, message, code: code)
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
    }

    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        (a.severity, a.location ?? "", a.message) < (b.severity, b.location ?? "", b.message)
    }
}

extension Diagnostic {
    /// The lines a person reads: every error, each on its own; warnings one by
    /// one, except a kind that has more than `limit` of them, which shows its
    /// first `limit` and how many more there are. nil: every warning.
    public static func reportLines(_ ds: [Diagnostic], limit: Int?) -> [String] {
        let sorted = ds.sorted()
        guard let limit else { return sorted.map(\.description) }
        var byCode: [String: [Diagnostic]] = [:]
        for d in sorted where d.severity == .warning {
            if let c = d.code { byCode[c, default: []].append(d) }
        }
        var out: [String] = []
        var shown: Set<String> = []
        for d in sorted {
            guard d.severity == .warning, let c = d.code, let group = byCode[c], group.count > limit else {
                out.append(d.description)
                continue
            }
            guard shown.insert(c).inserted else { continue }
            out += group.prefix(limit).map(\.description)
            out.append("warning: … and \(group.count - limit) more \(c) warnings like these (\(group.count) in all; --all-warnings lists every one)")
        }
        return out
    }
}
