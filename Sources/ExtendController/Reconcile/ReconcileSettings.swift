/// How eagerly the controller works on hosts.
public struct ReconcileSettings: Sendable, Equatable {
    /// The least time between two runs on one host: a burst of changes
    /// (a Deployment rolling 50 pods) becomes one run per host, not 50.
    public var minInterval: Duration
    /// The wait after a host's first failure; doubled on each further one…
    public var retryBase: Duration
    /// …up to this.
    public var retryCap: Duration
    /// How often every host is read and repaired (drift: a chain flushed by
    /// hand, a reboot without persisted rules), whether or not anything changed.
    public var resyncInterval: Duration
    /// How many hosts are worked on at once.
    public var concurrency: Int

    public init(minInterval: Duration = .seconds(1), retryBase: Duration = .seconds(2),
                retryCap: Duration = .seconds(300), resyncInterval: Duration = .seconds(600), concurrency: Int = 32) {
        self.minInterval = minInterval
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.resyncInterval = resyncInterval
        self.concurrency = concurrency
    }
}
