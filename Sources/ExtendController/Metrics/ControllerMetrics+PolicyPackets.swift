import CoreMetrics
import ExtendCore
import Foundation

/// `netpol_extend_policy_packets_total{host, policy, direction, verdict}`:
/// the packets each policy admitted on a host (verdict "allowed", summed over
/// its rules) and the packets denied in a direction the policy isolates
/// (verdict "denied"; a direction isolated by several policies counts its
/// denied packets against each of them, as `extend audit` does, so do not sum
/// denied across policies). In audit mode "denied" packets were let through.
///
/// The host's counters are read after every host run (so on every resync),
/// never on a scrape. A Prometheus counter only grows: each reading adds what
/// the host counted since the previous one; a host counter that went down
/// (the policy's chain was reloaded by a change, or `extend audit --reset`)
/// started again from zero, so all of its new value is added.
final class PolicyPacketTotals: @unchecked Sendable {
    struct Series: Hashable {
        var host: String
        var policy: String
        var direction: Direction
        var verdict: String

        var dimensions: [(String, String)] {
            [("host", host), ("policy", policy), ("direction", direction.word), ("verdict", verdict)]
        }
    }

    private let lock = NSLock()
    private var last: [Series: UInt64] = [:]

    /// Adds what changed since this host's previous reading to the counters.
    func record(host: String, _ counters: AuditCounters) {
        for (series, delta) in increments(host: host, counters) {
            Counter(label: "netpol_extend_policy_packets_total", dimensions: series.dimensions)
                .increment(by: Int64(clamping: delta))
        }
    }

    /// What to add to each series for this reading (and remember it).
    func increments(host: String, _ counters: AuditCounters) -> [(Series, UInt64)] {
        let now = Self.series(host: host, counters)
        return lock.withLock {
            let out = now.sorted { ($0.key.policy, $0.key.direction, $0.key.verdict) < ($1.key.policy, $1.key.direction, $1.key.verdict) }
                .map { series, value -> (Series, UInt64) in
                    let before = last[series] ?? 0
                    return (series, value >= before ? value - before : value)
                }
            for (series, value) in now { last[series] = value }
            return out
        }
    }

    /// The host's readings per series.
    static func series(host: String, _ counters: AuditCounters) -> [Series: UInt64] {
        var out: [Series: UInt64] = [:]
        for a in counters.allowed {
            out[Series(host: host, policy: a.policy, direction: a.direction, verdict: "allowed"), default: 0] += a.packets
        }
        for d in counters.denied {
            for p in d.policies {
                out[Series(host: host, policy: p, direction: d.direction, verdict: "denied"), default: 0] += d.packets
            }
        }
        return out
    }
}
