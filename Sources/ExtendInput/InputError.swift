import ExtendCore

/// Input that could not be used: every problem found, each naming its file,
/// line and column. Thrown by the `get()` of a load result.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// One problem per line, in the order they were found.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
