import ExtendCore
@testable import ExtendController
import Testing

/// netpol_extend_policy_packets_total: a Prometheus counter fed from host
/// counters that start again from zero when a chain is reloaded or reset.
@Suite("Policy packet totals for /metrics")
struct PolicyPacketTotalsTests {
    static func counters(allowed: [UInt64], denied: UInt64) -> AuditCounters {
        AuditCounters(enforcement: .audit,
                      denied: [.init(direction: .ingress, policies: ["live/db", "live/deny-all"], packets: denied, bytes: 0, tags: ["t"])],
                      allowed: allowed.enumerated().map { .init(direction: .ingress, policy: "live/db", rule: $0.offset, packets: $0.element, bytes: 0) })
    }

    func values(_ increments: [(PolicyPacketTotals.Series, UInt64)]) -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: increments.map { ("\($0.0.host) \($0.0.policy) \($0.0.direction.word) \($0.0.verdict)", $0.1) })
    }

    @Test("allowed sums a policy's rules; denied counts against every isolating policy; later readings add only what grew; a host counter that went down adds all of its new value")
    func deltas() {
        let totals = PolicyPacketTotals()
        #expect(values(totals.increments(host: "db", Self.counters(allowed: [3, 4], denied: 10))) == [
            "db live/db ingress allowed": 7, "db live/db ingress denied": 10, "db live/deny-all ingress denied": 10,
        ])
        #expect(values(totals.increments(host: "db", Self.counters(allowed: [5, 4], denied: 10))) == [
            "db live/db ingress allowed": 2, "db live/db ingress denied": 0, "db live/deny-all ingress denied": 0,
        ])
        // extend audit --reset (or a reload of the chain) since: 1 denied packet counted after it.
        #expect(values(totals.increments(host: "db", Self.counters(allowed: [0, 0], denied: 1))) == [
            "db live/db ingress allowed": 0, "db live/db ingress denied": 1, "db live/deny-all ingress denied": 1,
        ])
        // Another host's series are its own.
        #expect(values(totals.increments(host: "web", Self.counters(allowed: [1, 0], denied: 0)))["web live/db ingress allowed"] == 1)
    }
}
