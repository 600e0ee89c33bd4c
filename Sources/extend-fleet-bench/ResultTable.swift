import Foundation

/// One measured run: a row of the table.
struct Row {
    var tool: String
    var run: String
    var outcome: String
    var wall: Duration
    /// Per-host latency of the hosts that hold rules.
    var latencies: [Duration]
    /// sshd's counts on the hosts that hold rules.
    var counts: [SSHDCounts]
    var speedUp: String = "—"
}

enum ResultTable {
    static func markdown(_ rows: [Row]) -> String {
        var out = "| tool | run | outcome | wall time | per-host latency median | per-host p95 | SSH connections / host | remote commands / host (+ sftp transfers) | speed-up |\n"
        out += "|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let cmds = range(r.counts.map(\.commands))
            let transfers = r.counts.map(\.transfers)
            let t = transfers.allSatisfy { $0 == 0 } ? "" : " (+ \(range(transfers)))"
            out += "| \(r.tool) | \(r.run) | \(r.outcome) | \(seconds(r.wall)) | \(millis(percentile(r.latencies, 0.5))) | \(millis(percentile(r.latencies, 0.95))) | \(range(r.counts.map(\.connections))) | \(cmds)\(t) | \(r.speedUp) |\n"
        }
        return out
    }

    /// Nearest-rank percentile.
    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    static func range(_ values: [Int]) -> String {
        guard let lo = values.min(), let hi = values.max() else { return "—" }
        return lo == hi ? "\(lo)" : "\(lo)–\(hi)"
    }

    static func seconds(_ d: Duration) -> String { String(format: "%.2f s", d.secondsValue) }
    static func millis(_ d: Duration) -> String { String(format: "%.0f ms", d.secondsValue * 1000) }

    static func factor(_ slow: Duration, _ fast: Duration) -> String {
        guard fast > .zero else { return "—" }
        return String(format: "%.1f×", slow.secondsValue / fast.secondsValue)
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
