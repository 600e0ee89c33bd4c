import ExtendCore

/// Collects what goes wrong while reading input, so that one run reports
/// every problem at once instead of stopping at the first. Shared by
/// reference among the cursors of one load; never crosses threads (a
/// list read on several threads gives each item problems of its own).
final class Problems {
    private(set) var diagnostics: [Diagnostic] = []

    private(set) var errorCount = 0

    var hasErrors: Bool { errorCount > 0 }

    func error(_ location: String?, _ message: String) {
        diagnostics.append(.error(location, message))
        errorCount += 1
    }

    func warning(_ location: String?, _ message: String) {
        diagnostics.append(.warning(location, message))
    }

    /// Diagnostics gathered elsewhere (another thread's problems), in their order.
    func append(_ more: [Diagnostic]) {
        diagnostics += more
        errorCount += more.count { $0.severity == .error }
    }
}
