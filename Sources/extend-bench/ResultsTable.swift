import BenchSupport
import Foundation

/// The Markdown the benchmark prints: one table row per measured row, and
/// how the figures compare with issue 10's targets.
struct ResultsTable {
    let results: [RowResult]
    let maxRSSMB: Int?
    /// With --repeats above 1 and both rows: the ratio from runs in alternation, which decides the target.
    var paired: PairedRatio? = nil

    var markdown: String {
        var lines = [
            "| row | pods | policies | hosts | namespaces | input | wall time | peak RSS | output | rules/host max | rules/host mean | set entries/host max | set entries/host mean | distinct addresses/host max | notes |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in results { lines.append(line(r)) }
        let targets = self.targets
        if !targets.isEmpty {
            lines.append("")
            lines.append("Targets (issue 10; matrix and diff --connections: issue 16):")
            lines += targets.map { "- " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    private func line(_ r: RowResult) -> String {
        let s = r.scale
        var cells = [r.row.title, "\(s.pods)", "\(s.policies)", "\(s.hosts)", "\(s.namespaces)+\(s.inventoryNamespaces)",
                     Self.bytes(r.inputBytes)]
        if let t = r.timed {
            cells += [wall(t), rss(t), Self.bytes(t.outputBytes) + (t.stop != nil ? " so far" : "")]
        } else {
            cells += ["—", "—", "—"]
        }
        if let m = r.metrics {
            cells += ["\(m.rules.max)", Self.fixed(m.rules.mean), "\(m.setEntries.max)", Self.fixed(m.setEntries.mean),
                      "\(m.distinctAddresses.max)"]
        } else {
            cells += ["—", "—", "—", "—", "—"]
        }
        cells.append(r.notes.joined(separator: "; "))
        return "| " + cells.joined(separator: " | ") + " |"
    }

    private func wall(_ t: ChildOutcome) -> String {
        switch t.stop {
        case .timeout?: return "> \(Self.seconds(t.seconds)) (timeout)"
        case .memoryCap?: return "\(Self.seconds(t.seconds)) (stopped)"
        case nil: return Self.seconds(t.seconds)
        }
    }

    private func rss(_ t: ChildOutcome) -> String {
        let mb = "\(Int((Double(t.maxRSSKB) / 1024).rounded())) MB"
        switch t.stop {
        case .memoryCap?: return "> \(maxRSSMB.map { "\($0) MB" } ?? mb) (cap)"
        case .timeout?: return "\(mb) so far"
        case nil: return mb
        }
    }

    /// Each target with the figures that bear on it, for the rows measured.
    var targets: [String] {
        var out: [String] = []
        let base = result(.base), pods4x = result(.pods4x), all4x = result(.all4x), explain = result(.explain)
        if let t = base?.timed {
            let ok = t.succeeded && t.seconds < 1 && t.maxRSSKB < 512 * 1024
            out.append("base `render --output json` under 1 s and 512 MB: \(ok ? "met" : "not met") (\(wall(t)), \(rss(t)))")
        }
        if let b = base?.metrics, let p = pods4x?.metrics {
            let same = b.rules.max == p.rules.max && abs(b.rules.mean - p.rules.mean) < 0.05
            out.append("4x pods leaves rules per host unchanged: \(same ? "met" : "not met") (max \(b.rules.max) → \(p.rules.max), mean \(Self.fixed(b.rules.mean)) → \(Self.fixed(p.rules.mean)))")
        } else if let p = pods4x?.timed, !p.succeeded {
            out.append("4x pods leaves rules per host unchanged: not known, the 4x pods run did not finish (\(wall(p)), \(rss(p)))")
        }
        if let b = base?.metrics, let a = result(.audit)?.metrics {
            let same = b.rules.max == a.rules.max && abs(b.rules.mean - a.rules.mean) < 0.005
            out.append("audit mode holds as many rules per host as enforce (the same rules, another final verdict): \(same ? "met" : "not met") (max \(b.rules.max) → \(a.rules.max), mean \(Self.fixed(b.rules.mean)) → \(Self.fixed(a.rules.mean)))")
        }
        let ratios: [String] = [base, pods4x, all4x].compactMap { r in
            guard let r, let m = r.metrics, m.distinctAddresses.total > 0 else { return nil }
            return "\(r.row.title) \(Self.fixed(Double(m.setEntries.total) / Double(m.distinctAddresses.total), digits: 2))"
        }
        if !ratios.isEmpty {
            out.append("set entries grow with distinct addresses, not with the policies that reference them: set entries per distinct address over all hosts, which stays flat across sizes when met and rises with the policies otherwise: \(ratios.joined(separator: ", "))")
        }
        if let b = base?.timed, let a = all4x?.timed, b.succeeded {
            let ratio = a.seconds / max(0.001, b.seconds)
            let rssRatio = "peak RSS \(Self.fixed(Double(a.maxRSSKB) / Double(max(1, b.maxRSSKB)), digits: 2))x"
            if a.succeeded, let paired {
                let each = paired.ratios.map { Self.fixed($0, digits: 2) }.joined(separator: ", ")
                out.append("4x everything under 5x base: \(paired.median < 5 ? "met" : "not met") (wall \(Self.fixed(paired.median, digits: 2))x base: median of \(paired.ratios.count) pairs run in alternation (\(each)); the rows' medians give \(Self.fixed(ratio, digits: 2))x; \(rssRatio))")
            } else if a.succeeded {
                out.append("4x everything under 5x base: \(ratio < 5 ? "met" : "not met") (wall \(Self.fixed(ratio, digits: 2))x base; \(rssRatio))")
            } else {
                out.append("4x everything under 5x base: not known, the 4x everything run did not finish (\(wall(a)), \(rss(a)): at least \(Self.fixed(ratio, digits: 2))x base's wall time)")
            }
        }
        if let t = explain?.timed {
            out.append("explain at base under 0.5 s: \(t.succeeded && t.seconds < 0.5 ? "met" : "not met") (\(wall(t)))")
        }
        if let t = result(.matrix)?.timed {
            let ok = t.succeeded && t.seconds < 5 && t.maxRSSKB < 1024 * 1024 && t.outputBytes < 256 << 20
            out.append("matrix at base under 5 s, 1 GB and 256 MB of output: \(ok ? "met" : "not met") (\(wall(t)), \(rss(t)), \(Self.bytes(t.outputBytes)))")
        }
        if let t = result(.connections)?.timed {
            out.append("diff --connections for a one-policy change at base under 2 s: \(t.succeeded && t.seconds < 2 ? "met" : "not met") (\(wall(t)))")
        }
        return out
    }

    private func result(_ id: BenchRow.ID) -> RowResult? { results.first { $0.row.id == id } }

    static func seconds(_ s: Double) -> String {
        s < 10 ? String(format: "%.2f s", s) : String(format: "%.0f s", s)
    }

    static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if d >= 1e9 { return String(format: "%.2f GB", d / 1e9) }
        if d >= 1e6 { return String(format: "%.1f MB", d / 1e6) }
        if d >= 1e3 { return String(format: "%.1f KB", d / 1e3) }
        return "\(n) B"
    }

    static func fixed(_ x: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
}
