import Synchronization

/// Whether this replica leads: set by the leader election, read before every
/// write to a host. Only the leader writes; a standby keeps its caches warm.
public final class Leadership: Sendable {
    private let leading: Mutex<Bool>

    /// - Parameter leading: true for a controller that runs without election (one replica).
    public init(leading: Bool) { self.leading = Mutex(leading) }

    public var isLeader: Bool { leading.withLock { $0 } }

    /// Returns whether it changed.
    @discardableResult
    public func set(_ value: Bool) -> Bool {
        leading.withLock { current in
            let changed = current != value
            current = value
            return changed
        }
    }
}
