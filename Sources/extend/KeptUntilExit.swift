import Foundation

/// What a one-shot command built, kept until the process exits instead of
/// freed object by object on the way out: at 4× the base cluster, freeing
/// the model and the compiler's memos took 0.3 s after the output was
/// written, to no one's benefit (the process's memory goes back whole).
/// Not for the controller: it runs on and must free what it replaces.
enum KeptUntilExit {
    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var values: [Any] = []
    }
    private static let store = Store()

    static func keep(_ values: Any...) {
        store.lock.lock()
        store.values += values
        store.lock.unlock()
    }
}
