import ExtendCore
import Foundation

/// Each state's digest by its key (`IncrementalCompiler.StateKey`): after a
/// sync the dry run plans every host, and hosts that the same policies
/// isolate hold the same rules and sets; the digest is made once for them
/// all. Only the latest batch's keys are kept: a batch's changes give new
/// keys, and the old ones never come again. Shared by concurrent runs.
final class DigestMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var digests: [IncrementalCompiler.StateKey: String] = [:]
    /// The batch the kept digests belong to.
    private var batch = Int.min

    /// The digest of a state with this key, made by `make` unless known (always, without a key).
    func digest(of key: IncrementalCompiler.StateKey?, _ make: () -> String) -> String {
        guard let key else { return make() }
        if let hit = lock.withLock({ digests[key] }) { return hit }
        let d = make()
        lock.withLock {
            // A later batch's key: the earlier batch's never come again. A run
            // of an earlier batch that ends late keeps its digest to itself.
            if key.batch > batch {
                digests.removeAll(keepingCapacity: true)
                batch = key.batch
            }
            if key.batch == batch { digests[key] = d }
        }
        return d
    }
}
