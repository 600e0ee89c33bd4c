/// Leader election on a Lease, as client-go's leaderelection does it, as a
/// pure state machine: the service reads and writes the Lease and feeds the
/// answers in; this says what to write next and whether we lead.
///
/// - A lease is free when nobody holds it, or when its record has not
///   changed for `leaseDuration` by *our* clock since we first saw it that
///   way (the holder's timestamps are never compared with our clock: clocks
///   of two machines disagree).
/// - The leader renews every `retryPeriod`. If it has not renewed for
///   `renewDeadline` (shorter than the lease), it stops leading at once,
///   before another replica may take over: only the leader writes to hosts.
/// - Writes carry the resourceVersion they were based on; a conflict means
///   another replica wrote first, and we read again.
/// - On shutdown the leader releases the lease (empty holder), so a standby
///   takes over without waiting out the lease.
public struct LeaderElection: Sendable {
    public typealias Instant = Duration

    public struct Settings: Sendable, Equatable {
        public var identity: String
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        public init(identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                    retryPeriod: Duration = .seconds(2)) {
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    /// What the service should do with the Lease object.
    public enum Write: Sendable, Equatable {
        case create(LeaseRecord)
        /// A PUT of this record, conditional on `resourceVersion`.
        case update(LeaseRecord, resourceVersion: String)
    }

    public let settings: Settings
    public private(set) var isLeader = false
    /// The record as last read or written, its resourceVersion, and when (our clock) it last changed.
    private var observed: (record: LeaseRecord, resourceVersion: String, since: Instant)?
    private var lastRenewed: Instant?

    public init(settings: Settings) { self.settings = settings }

    /// The Lease as just read (`nil`: it does not exist). Returns the write
    /// to attempt, if any: create it, take it over, or renew it.
    /// - Parameter stamp: the wall-clock time to write, RFC 3339 MicroTime.
    public mutating func read(_ lease: (record: LeaseRecord, resourceVersion: String)?, now: Instant, stamp: String) -> Write? {
        expire(now: now)
        guard let lease else {
            return .create(LeaseRecord(holderIdentity: settings.identity, leaseDurationSeconds: seconds(settings.leaseDuration),
                                       acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
        }
        if observed?.record != lease.record || observed?.resourceVersion != lease.resourceVersion {
            observed = (lease.record, lease.resourceVersion, now)
        }
        let r = lease.record
        let mine = r.holderIdentity == settings.identity
        if !mine {
            if isLeader { lose() }
            let held = !r.holderIdentity.isEmpty
            let expiresAfter = Duration.seconds(max(r.leaseDurationSeconds, 1))
            if held, let since = observed?.since, now - since < expiresAfter { return nil }
        }
        var next = r
        next.holderIdentity = settings.identity
        next.leaseDurationSeconds = seconds(settings.leaseDuration)
        next.renewTime = stamp
        if !mine {
            next.acquireTime = stamp
            next.leaseTransitions = r.leaseTransitions + 1
        }
        return .update(next, resourceVersion: lease.resourceVersion)
    }

    /// Our write was accepted; the Lease is now this record at this resourceVersion.
    public mutating func wrote(_ record: LeaseRecord, resourceVersion: String, now: Instant) {
        observed = (record, resourceVersion, now)
        guard record.holderIdentity == settings.identity else { return }
        isLeader = true
        lastRenewed = now
    }

    /// Our write failed (a conflict: another replica wrote first; or the API
    /// failed). A leader keeps leading until its renew deadline passes.
    public mutating func writeFailed(now: Instant) { expire(now: now) }

    /// Call on every tick: a leader that has not renewed within the deadline stops leading.
    public mutating func expire(now: Instant) {
        if isLeader, let last = lastRenewed, now - last >= settings.renewDeadline { lose() }
    }

    /// While leading: when it stops leading unless a renewal succeeds first
    /// (the last renewal plus the renew deadline). The service watches this
    /// instant while it waits for the API server.
    public var leadingUntil: Instant? {
        guard isLeader, let last = lastRenewed else { return nil }
        return last + settings.renewDeadline
    }

    /// When to read the Lease again.
    public func nextAttempt(after now: Instant) -> Instant { now + settings.retryPeriod }

    /// On shutdown: the leader's release of the lease (nil when not leading).
    /// It stops leading at once, whether or not the write gets through.
    public mutating func release(stamp: String) -> Write? {
        guard isLeader, let o = observed, o.record.holderIdentity == settings.identity else { return nil }
        lose()
        var next = o.record
        next.holderIdentity = ""
        next.leaseDurationSeconds = 1
        next.renewTime = stamp
        return .update(next, resourceVersion: o.resourceVersion)
    }

    private mutating func lose() {
        isLeader = false
        lastRenewed = nil
    }

    private func seconds(_ d: Duration) -> Int { Int(d.components.seconds) }
}
