import Synchronization

/// What /healthz and /readyz answer from, shared between the services.
public final class ControllerStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Every watch has its initial state.
        public var synced = false
        /// As leader: every host has been run once since the sync.
        public var firstReconcileDone = false
        public var leader = false
        /// Why not ready, or what is wrong now (an inventory rejected, a watch failing).
        public var problems: [String] = []
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ change: (inout Snapshot) -> Void) { state.withLock { change(&$0) } }

    /// Ready to serve its purpose: caches synced, and, as leader, the hosts converged once.
    public var ready: Bool {
        let s = snapshot
        return s.synced && (!s.leader || s.firstReconcileDone)
    }
}
