/// The markdown table and, under it, where the figures stand against issue 11's targets.
struct ResultsTable {
    var results: [RowResult]

    var markdown: String {
        var out = "| row | hosts | changes | p50 | p99 | max | mean | synced / ready | peak RSS | CPU | notes |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in results {
            let timed = !r.samples.isEmpty
            func cell(_ p: Double) -> String { timed ? Format.millis(Stats.percentile(r.samples, p)) : "—" }
            let maxCell = timed ? Format.millis(r.samples.max() ?? .zero) : "—"
            let meanCell = timed ? Format.millis(Stats.mean(r.samples)) : "—"
            let startCell = [r.synced, r.ready].map { $0.map(Format.seconds) ?? "—" }.joined(separator: " / ")
            out += "| \(r.row) | \(r.hosts) | \(r.changes.map(String.init) ?? "—") | \(cell(0.5)) | \(cell(0.99)) | \(maxCell) | \(meanCell) | \(startCell) | \(r.peakRSSKB.map(Format.megabytes) ?? "—") | \(r.cpu) | \(r.notes.joined(separator: "; ")) |\n"
        }
        return out
    }

    /// One line per target of the rows run: met or not met, with the figure.
    var targets: [String] {
        var lines: [String] = []
        for r in results {
            if !r.samples.isEmpty {
                let p50 = Stats.percentile(r.samples, 0.5), p99 = Stats.percentile(r.samples, 0.99)
                lines.append("p50 < 200 ms: \(Format.millis(p50)), \(p50 < .milliseconds(200) ? "met" : "not met")")
                lines.append("p99 < 1 s: \(Format.millis(p99)), \(p99 < .seconds(1) ? "met" : "not met")")
            } else {
                if let kb = r.peakRSSKB {
                    lines.append("memory after the initial sync < 512 MB: peak \(Format.megabytes(kb)), \(kb < 512 * 1024 ? "met" : "not met")")
                }
                if let ready = r.ready {
                    let synced = r.synced.map { " (\"cluster synced\" at \(Format.seconds($0)))" } ?? ""
                    lines.append("initial sync < 3 s: ready (every host planned) at \(Format.seconds(ready))\(synced), \(ready < .seconds(3) ? "met" : "not met")")
                }
            }
        }
        return lines
    }
}
