import ExtendCore

/// What happened to a host run, for the loop, the logs, metrics and events.
public struct HostResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// It already held exactly its rules.
        case inSync = "in-sync"
        /// Its rules were changed (or removed) and confirmed.
        case changed
        /// Computed only (`--dry-run`): nothing was read or written.
        case planned
        case failed
    }
    public var host: String
    public var outcome: Outcome
    /// One line: what changed, or why it failed (names the host).
    public var message: String
    public var duration: Duration
    /// The packet counters of the host's rules, read right after the run
    /// (SSH runs that succeeded; nil otherwise): /metrics'
    /// netpol_extend_policy_packets_total, refreshed on every run (so on every resync), never on a scrape.
    public var counters: AuditCounters?

    public init(host: String, outcome: Outcome, message: String, duration: Duration, counters: AuditCounters? = nil) {
        self.host = host
        self.outcome = outcome
        self.message = message
        self.duration = duration
        self.counters = counters
    }

    public var succeeded: Bool { outcome != .failed }
}

/// Does the I/O of a host run: over SSH, or nothing at all for a dry run.
public protocol HostRunner: Sendable {
    func run(_ run: ControllerEngine.Run) async -> HostResult
    /// The inventory now (at start, and after each accepted change): what a
    /// runner keeps per host (an SSH connection) goes for hosts gone or reached otherwise.
    func inventory(_ hosts: [LegacyHost])
    /// Upkeep of what the runner keeps between runs, until cancelled.
    func maintain() async
    /// The controller stops and no run is under way: release everything kept.
    func stop() async
}

extension HostRunner {
    public func inventory(_ hosts: [LegacyHost]) {}
    public func maintain() async {}
    public func stop() async {}
}
