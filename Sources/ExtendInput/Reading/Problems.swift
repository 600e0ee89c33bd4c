import ExtendCore

/// Collects what goes wrong while reading input, so that one run reports
/// every problem at once instead of stopping at the first. Shared by
/// reference among the cursors of one load; never crosses threads.
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
}
