import Foundation

/// Work started on a thread of its own (Dispatch's, not the Swift
/// concurrency pool's), its result waited for where it is first needed:
/// the lint's warnings, made while a command compiles and written after.
final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = NSCondition()
    private var result: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            let v = work()
            self.done.lock()
            self.result = v
            self.done.broadcast()
            self.done.unlock()
        }
    }

    /// The result, once the work is done.
    var value: Value {
        done.lock()
        defer { done.unlock() }
        while result == nil { done.wait() }
        return result!
    }
}
