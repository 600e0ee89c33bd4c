import ExtendCore
import ExtendSSH

/// One host's outcome in diff and apply: the agent's report, and whether the
/// host is retired (known from the managed hosts record only: it has left the inventory).
struct HostOutcome: Encodable {
    var report: HostReport
    var retired: Bool

    /// A retired host's report, its message saying so and what becomes of it in the record.
    static func retired(_ report: HostReport, mode: Fleet.Mode) -> HostOutcome {
        var r = report
        let apply = mode == .apply
        switch r.status {
        case .inSync:
            r.message = "left the inventory: holds nothing of ours" + (apply ? "; dropped from the record" : "")
        case .changes:
            r.message = "left the inventory: everything of ours is to be removed (-\(r.removed))"
        case .applied:
            r.message = "left the inventory: removed everything of ours"
                + (r.removed > 0 ? " (-\(r.removed)), confirmed" : " (its persisted rules)") + "; dropped from the record"
        case .unreachable, .error:
            r.message = "left the inventory: \(r.message)" + (apply ? "; kept in the record, retried on the next apply" : "")
                + " (if it is gone for good: --forget \(r.host))"
        case .forgotten:
            break // Never from an agent: see `forgotten(_:mode:)`.
        }
        return HostOutcome(report: r, retired: true)
    }

    /// A retired host `--forget` names: never contacted, so nothing is known of what it holds.
    static func forgotten(_ host: String, mode: Fleet.Mode) -> HostOutcome {
        let message = mode == .apply
            ? "left the inventory; forgotten: removed from the record without contacting it; rules of ours on it, if any, were left"
            : "left the inventory; --forget: apply removes it from the record without contacting it; rules of ours on it, if any, are left"
        return HostOutcome(report: HostReport(host: host, status: .forgotten, message: message), retired: true)
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(retired, forKey: .retired)
    }
    enum Key: String, CodingKey { case retired }
}

/// What apply did with the managed hosts record.
struct RecordOutcome: Encodable {
    var path: String
    var written: Bool
    /// The hosts it lists now (when written).
    var hosts: [String] = []
    var error: String?
}

/// `diff` and `apply` with `--output json`: one document.
struct FleetReport: Encodable {
    var hosts: [HostOutcome]
    var warnings: [String]
    /// apply only.
    var record: RecordOutcome?
    /// diff --companions only.
    var companions: CompanionsReport?
}

/// `diff --companions --output json`: the companions by `namespace/name`, per action.
struct CompanionsReport: Encodable {
    var create: [String]
    var update: [String]
    var delete: [String]
    var unchanged: [String]
    /// Wanted names that a policy not ours holds: left alone.
    var conflicts: [String]

    init(_ plan: CompanionPlan) {
        create = plan.create.map(\.id)
        update = plan.update.map(\.id)
        delete = plan.delete.map(\.id)
        unchanged = plan.unchanged.map(\.id)
        conflicts = plan.conflicts.map(\.id)
    }
}
