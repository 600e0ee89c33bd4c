import ExtendKube
import Foundation
import Logging
import ServiceLifecycle

/// Runs the leader election (`LeaderElection`, pure) against a Lease: every
/// `retryPeriod` it reads the Lease, lets the state machine decide, writes
/// what it says (create, renew, take over) and reports the outcome back. It
/// sets `leadership`, which every host write checks first, records a
/// `LeaderElected` or `LeadershipLost` event, and logs.
///
/// - A leader stops leading the moment its renew deadline passes, even while
///   a request to the API server is still pending: a watcher sleeps until
///   the deadline beside every wait of the loop.
/// - On graceful shutdown (SIGTERM to the `ServiceGroup`) the leader releases
///   the Lease, so a standby takes over at its next read, not a lease later.
/// - Cancelled without graceful shutdown, it stops leading and writes
///   nothing: the Lease runs out as if the process had died.
/// - API errors never end it: they are logged (once each while they repeat)
///   and kept in `status.lastError`, and the loop tries again.
///
/// The clock is injected (production: `ContinuousClock`), and so is the
/// wall-clock stamp written into the Lease (production: `KubeTimestamp.micro(Date())`).
public struct LeaderElectionService<C: Clock>: Service where C.Duration == Duration {
    public let settings: LeaderElection.Settings
    public let leadership: Leadership
    public let status: ElectionStatus
    let store: any LeaseStore
    let events: any EventSink
    /// What the election is about, for events and logs: `lease ops/netpol-extend`.
    let regarding: String
    let logger: Logger
    let clock: C
    let stamp: @Sendable () -> String

    public init(settings: LeaderElection.Settings, store: any LeaseStore, leadership: Leadership, events: any EventSink,
                regarding: String, logger: Logger, clock: C, status: ElectionStatus = ElectionStatus(),
                stamp: @escaping @Sendable () -> String = { KubeTimestamp.micro(Date()) }) {
        self.settings = settings
        self.store = store
        self.leadership = leadership
        self.events = events
        self.regarding = regarding
        self.logger = logger
        self.clock = clock
        self.status = status
        self.stamp = stamp
    }

    public func run() async throws {
        let start = clock.now
        let election = await cancelWhenGracefulShutdown { [self] in await elect(start: start) }
        leadership.set(false)
        guard Task.isShuttingDownGracefully else {
            logger.info("leader election stopped without releasing the lease", metadata: meta())
            return
        }
        var final = election
        guard let release = final.release(stamp: stamp()) else { return }
        do {
            _ = try await store.write(release)
            logger.info("released the lease on shutdown", metadata: meta())
            await events.record(ControllerEvent(.normal, reason: "LeadershipLost",
                                                message: "\(settings.identity) released the lease on shutdown", regarding: regarding))
        } catch {
            logger.warning("could not release the lease on shutdown; it runs out after its duration",
                           metadata: meta(["error": "\(error.message)"]))
        }
    }

    /// The loop, until cancelled; returns the state it ends in (for the release).
    private func elect(start: C.Instant) async -> LeaderElection {
        var election = LeaderElection(settings: settings)
        while !Task.isCancelled {
            let tick = elapsed(since: start)
            await attempt(&election, start: start)
            do {
                try await clock.sleep(until: start.advanced(by: election.nextAttempt(after: tick)), tolerance: nil)
            } catch {
                break
            }
        }
        return election
    }

    /// One round: read, decide, write, record.
    private func attempt(_ e: inout LeaderElection, start: C.Instant) async {
        e.expire(now: elapsed(since: start))
        await publish(e, start: start)
        status.update { $0.attempts += 1 }
        let read = await watchingDeadline(e, start: start) { [store] () async throws(KubeError) in try await store.read() }
        let readAt = elapsed(since: start)
        let lease: ObservedLease?
        switch read {
        case .failure(let error):
            failed(error, doing: "read")
            e.writeFailed(now: readAt)
            await publish(e, start: start)
            return
        case .success(let l):
            lease = l
        }
        status.update { $0.holder = lease?.record.holderIdentity ?? "" }
        guard let write = e.read(lease, now: readAt, stamp: stamp()) else {
            succeeded()
            await publish(e, start: start)
            return
        }
        await publish(e, start: start)  // reading may have shown that someone else holds it now
        // A renewal counts from before it was sent: the server took it no earlier.
        let sentAt = elapsed(since: start)
        switch await watchingDeadline(e, start: start, { [store] () async throws(KubeError) in try await store.write(write) }) {
        case .success(let stored):
            e.wrote(stored.record, resourceVersion: stored.resourceVersion, now: sentAt)
            status.update { $0.holder = stored.record.holderIdentity }
            succeeded()
        case .failure(let error):
            if error.kind == .conflict {
                // Another replica wrote first: not an error, read again next round.
                logger.debug("lease write lost a race; reading again", metadata: meta(["reason": "\(error.reason ?? "")"]))
                succeeded()
            } else {
                failed(error, doing: "write")
            }
            e.writeFailed(now: elapsed(since: start))
        }
        await publish(e, start: start)
    }

    /// Runs `operation`; while it runs, a leader whose renew deadline passes
    /// stops leading at once, not when the answer finally comes.
    private func watchingDeadline<T: Sendable>(_ e: LeaderElection, start: C.Instant,
                                               _ operation: () async throws(KubeError) -> T) async -> Result<T, KubeError> {
        await withTaskGroup(of: Void.self) { group in
            if let until = e.leadingUntil {
                group.addTask { [clock, leadership, logger, settings] in
                    guard (try? await clock.sleep(until: start.advanced(by: until), tolerance: nil)) != nil else { return }
                    if leadership.set(false) {
                        logger.warning("renew deadline passed while waiting for the API server: stopped leading",
                                       metadata: ["identity": "\(settings.identity)"])
                    }
                }
            }
            defer { group.cancelAll() }
            return await Self.capture(operation)
        }
    }

    private static func capture<T>(_ operation: () async throws(KubeError) -> T) async -> Result<T, KubeError> {
        do {
            return .success(try await operation())
        } catch {
            return .failure(error)
        }
    }

    /// Makes `leadership` say what the state machine says; on a change, logs and records an event.
    private func publish(_ e: LeaderElection, start: C.Instant) async {
        guard leadership.set(e.isLeader) else { return }
        let event: ControllerEvent
        if e.isLeader {
            logger.notice("became leader: this replica now writes to hosts", metadata: meta())
            event = ControllerEvent(.normal, reason: "LeaderElected", message: "\(settings.identity) became leader", regarding: regarding)
        } else {
            logger.warning("lost leadership: this replica stopped writing to hosts", metadata: meta(["holder": "\(status.snapshot.holder)"]))
            event = ControllerEvent(.warning, reason: "LeadershipLost", message: "\(settings.identity) stopped leading", regarding: regarding)
        }
        _ = await watchingDeadline(e, start: start) { () async throws(KubeError) in await events.record(event) }
    }

    private func failed(_ error: KubeError, doing: String) {
        let message = error.message
        let repeated = status.snapshot.lastError == message
        status.update { $0.lastError = message }
        // Said once while it repeats every retry period; debug after that.
        logger.log(level: repeated ? .debug : .error, "cannot \(doing) the lease; trying again",
                   metadata: meta(["error": "\(message)"]))
    }

    private func succeeded() {
        if status.snapshot.lastError != nil {
            logger.info("the lease can be read and written again", metadata: meta())
            status.update { $0.lastError = nil }
        }
    }

    private func elapsed(since start: C.Instant) -> Duration { start.duration(to: clock.now) }

    private func meta(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        extra.merging(["identity": "\(settings.identity)", "lease": "\(regarding)"]) { a, _ in a }
    }
}

extension LeaderElectionService where C == ContinuousClock {
    public init(settings: LeaderElection.Settings, store: any LeaseStore, leadership: Leadership, events: any EventSink,
                regarding: String, logger: Logger, status: ElectionStatus = ElectionStatus()) {
        self.init(settings: settings, store: store, leadership: leadership, events: events, regarding: regarding,
                  logger: logger, clock: ContinuousClock(), status: status)
    }
}
