import Metrics

/// The companion NetworkPolicies on /metrics (`--companions`).
extension ControllerMetrics {
    public enum CompanionOutcome: String, Sendable {
        case created, updated, deleted
        /// A name taken by a policy not ours, found (counted once while it lasts).
        case conflict
        /// Dry run: a change it would make.
        case planned
        /// A write the API refused or that kept losing races (tried again later).
        case failed
    }

    /// Companions by what was done to them.
    public func companion(_ outcome: CompanionOutcome) {
        Counter(label: "netpol_extend_companions_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    /// Companions left out now because a policy not ours holds their name.
    public func companionConflicts(_ count: Int) {
        Gauge(label: "netpol_extend_companion_conflicts").record(count)
    }
}
