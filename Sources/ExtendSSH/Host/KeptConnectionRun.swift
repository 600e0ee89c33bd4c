/// What `HostAgent.apply(over:)` did, and what it did with connections: the
/// controller keeps each host's connection open between runs and counts
/// fresh connections against reused ones.
public struct KeptConnectionRun: Sendable {
    public var report: HostReport
    /// The open connection to keep for the host's next run; nil when the run
    /// failed (nothing of a failed run is trusted again).
    public var keep: SSHConnection?
    /// Connections this run established: for the first session (none when
    /// the kept one served), and the confirmation's.
    public var opened = 0
    /// The kept connection carried the run's first session.
    public var reused = false
    /// Why the kept connection was given up before anything was sent (the run
    /// then started again on a fresh one); nil if it was not.
    public var dropped: String?

    public init(report: HostReport, keep: SSHConnection? = nil, opened: Int = 0, reused: Bool = false, dropped: String? = nil) {
        self.report = report
        self.keep = keep
        self.opened = opened
        self.reused = reused
        self.dropped = dropped
    }
}
