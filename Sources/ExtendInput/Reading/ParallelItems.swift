import Dispatch
import Foundation

/// Maps the items of a large list on every core, keeping their order. For
/// work that touches nothing shared: each call gets its own value and
/// returns its own result.
enum ParallelItems {
    /// Below this many items one thread is quicker than handing them out.
    static let threshold = 1024

    static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard cores > 1, items.count >= threshold else { return items.map(transform) }
        // Several chunks per core, so that one slow chunk does not leave a core idle.
        let chunks = min(items.count, cores * 4)
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (items.count * chunk / chunks)..<(items.count * (chunk + 1) / chunks)
            for i in range { slots[i] = transform(items[i]) }
        }
        let out = results.map { $0! }
        results.deinitialize()
        return out
    }
}
