import ExtendCore
import Logging
import Synchronization

/// Keeps the companion NetworkPolicies in the cluster as the world wants
/// them (`--companions`, docs/both-directions.md): creates the missing ones,
/// updates the changed ones, deletes the stale ones, and never touches a
/// policy without both our labels.
///
/// The controller's loop hands it the world after every change that can
/// change a companion (`offer`); it plans and writes in its own task, so the
/// loop never waits on the API. Offers made while it writes coalesce: it
/// plans once more, from the newest world. Only the leader writes; a dry run
/// says what it would do and writes nothing.
public final class CompanionReconciler: Sendable {
    public struct Settings: Sendable {
        /// Say what would be written; write nothing.
        public var dryRun: Bool
        /// After a failed write, the next attempt: doubling from `retryBase` up to `retryCap`.
        public var retryBase: Duration
        public var retryCap: Duration

        public init(dryRun: Bool = false, retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60)) {
            self.dryRun = dryRun
            self.retryBase = retryBase
            self.retryCap = retryCap
        }
    }

    let settings: Settings
    let store: CompanionStore
    let leadership: Leadership
    let events: any EventSink
    let metrics: ControllerMetrics
    let logger: Logger
    /// Where /readyz says that companion writes fail (it stays ready: the hosts are not affected).
    let status: ControllerStatus?
    /// The newest world offered and not yet planned from.
    private let latest = Mutex<World?>(nil)
    /// Whether the last offer came from a leader (a new leader plans at once).
    private let offeredLeading = Mutex(false)
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(settings: Settings, store: CompanionStore, leadership: Leadership, events: any EventSink,
                metrics: ControllerMetrics = ControllerMetrics(), status: ControllerStatus? = nil, logger: Logger) {
        self.settings = settings
        self.store = store
        self.leadership = leadership
        self.events = events
        self.metrics = metrics
        self.logger = logger
        self.status = status
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wakeups = stream
        wake = continuation
    }

    /// From the controller's loop, after each event: `changed` when the event
    /// may change which companions are wanted (policies, namespaces, the
    /// inventory; pods never do). A replica that has just become the leader
    /// plans as well, whatever the event.
    public func offer(_ world: World, changed: Bool, leading: Bool) {
        let gained = offeredLeading.withLock { was in
            defer { was = leading }
            return leading && !was
        }
        guard changed || gained else { return }
        latest.withLock { $0 = world }
        wake.yield()
    }

    /// Plans and writes until the calling task is cancelled. A failed write
    /// is tried again after a backoff, from the newest world by then.
    public func run() async {
        var memory = Memory()
        var pending: CompanionPlan?
        var failures = 0
        var wakeups = self.wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            if pending == nil {
                guard await wakeups.next() != nil else { return }
            }
            // Planned at once, so the world is not held while the API answers.
            let offered = latest.withLock { (w: inout World?) -> World? in
                defer { w = nil }
                return w
            }
            guard let plan = offered.map(Self.plan) ?? pending else { continue }
            pending = nil
            let failed = await reconcile(plan, &memory)
            report(failing: failed)
            if failed.isEmpty {
                failures = 0
                continue
            }
            failures += 1
            pending = plan
            let wait = min(settings.retryCap, settings.retryBase * (1 << min(failures - 1, 16)))
            logger.info("companions: trying the failed writes again in \(wait)")
            guard (try? await Task.sleep(for: wait)) != nil else { return }
        }
    }

    /// /readyz: "companions: 2 write(s) failing (live/a-npx-hosts: ...)" while they fail.
    private func report(failing: [String]) {
        status?.update { s in
            s.problems.removeAll { $0.hasPrefix("companions:") }
            if let first = failing.first { s.problems.append("companions: \(failing.count) write(s) failing (\(first))") }
        }
    }

    static func plan(_ world: World) -> CompanionPlan {
        CompanionPlan(wanted: CompanionBuilder(world: world).companions(), world: world)
    }

    /// What the worker remembers between plans.
    struct Memory {
        /// Companions read or written as wanted since this replica leads: not read again while the plan finds them unchanged.
        var verified: [String: Companion] = [:]
        /// Names taken by a policy not ours, already reported.
        var conflicts: Set<String> = []
        /// Dry run: what was already said it would do.
        var said: Set<String> = []
    }
}
