import Synchronization

/// What the election service last saw, for `/readyz`, metrics and tests:
/// who holds the Lease and the last error, as a sentence (a 403 names the
/// RBAC rule that is missing). Written by the service, read by anyone.
public final class ElectionStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// The holder in the Lease as last read or written ("" when released or unknown).
        public var holder = ""
        /// The last failure to read or write the Lease; nil once one succeeds.
        public var lastError: String?
        /// Reads of the Lease so far (successful or not).
        public var attempts = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
