import BenchSupport
import Foundation

/// Runs `extend` for one row: a timed run whose stdout is only counted, then
/// (render rows) a second run whose stdout is parsed as it streams. The peak
/// RSS is the timed run's, the extend process's own.
struct Runner {
    let extend: String
    let timeout: Duration
    let maxRSSMB: Int?
    let metrics: Bool
    /// Timed runs per row.
    let repeats: Int

    func measure(_ row: BenchRow, _ input: BenchInput) -> RowResult {
        var result = RowResult(row: row, scale: input.cluster.scale, inputBytes: input.clusterBytes + input.inventoryBytes)
        var arguments: [String]
        switch row.work {
        case .render:
            arguments = ["render", "--output", "json"] + input.extendArguments
        case .renderAudit:
            do {
                arguments = ["render", "--output", "json"] + (try input.auditArguments())
            } catch {
                result.notes.append("cannot write the audit inventory: \(error)")
                return result
            }
        case .renderHost:
            guard let (host, selecting) = input.cluster.busiestInventoryHost else {
                result.notes.append("no host in an inventory-only namespace at this size")
                return result
            }
            arguments = ["render", "--output", "json"] + input.extendArguments + ["--host", host.name]
            result.notes.append("host \(host.ref), selected by \(selecting) policies")
        case .explain:
            guard let probe = input.cluster.explainProbe else {
                result.notes.append("input too small for the explain probe")
                return result
            }
            arguments = ["explain", "--output", "json"] + input.extendArguments
                + ["--from", probe.from, "--to", probe.to, "--port", String(probe.port), "--protocol", probe.proto]
            result.notes.append("\(probe.from) → \(probe.to) \(probe.proto)/\(probe.port)")
        case .incremental(let kind):
            return measureChange(kind, row, input, result)
        case .matrix:
            arguments = ["matrix", "--output", "json"] + input.extendArguments
        case .connections:
            guard let change = input.cluster.policyEdit else {
                result.notes.append("input too small for the policy edit")
                return result
            }
            guard let path = Self.write(change, row, input, &result) else { return result }
            // The proposed state: the cluster with the edited policy after it (the later definition wins).
            arguments = ["diff", "--connections", "--output", "json"] + input.extendArguments
                + ["--proposed", input.clusterPath, "--proposed", path]
            result.notes.append(change.summary)
        }

        Log.say("\(row.title): extend \(arguments.first ?? "")…")
        let stderrPath = input.folder + "/\(row.id.rawValue).stderr"
        result.command = (arguments, input.folder)
        // The same run `repeats` times (this machine's timings move by a third
        // from run to run): the median wall time, the highest peak RSS.
        var runs: [ChildOutcome] = []
        var child: ChildProcess?
        for _ in 0..<repeats {
            do {
                // explain's answer is read for its verdict (it lists every reason and warning: kept whole up to 16 MB).
                let keep = if case .explain = row.work { 16 << 20 } else { 0 }
                let c = try ChildProcess(executable: extend, arguments: arguments, stderrPath: stderrPath,
                                         timeout: timeout, maxRSSMB: maxRSSMB, keepHead: keep)
                runs.append(c.finish())
                child = c
            } catch {
                result.notes.append(error.description)
                return result
            }
            if runs.last?.succeeded != true { break }
        }
        guard var timed = runs.last, let child else { return result }
        if runs.allSatisfy(\.succeeded) {
            timed.wall = runs.map(\.wall).sorted()[runs.count / 2]
            timed.maxRSSKB = runs.map(\.maxRSSKB).max() ?? timed.maxRSSKB
            if runs.count > 1 { result.notes.append("median of \(runs.count)") }
        }
        result.timed = timed
        Log.say("  \(ResultsTable.seconds(timed.seconds)), \(timed.maxRSSKB / 1024) MB, \(ResultsTable.bytes(timed.outputBytes))")
        result.notes += Self.describe(timed, stderrPath: stderrPath)
        if case .explain = row.work, timed.succeeded { result.notes.append(Self.verdict(child.head)) }

        if metrics, timed.succeeded, row.work.rendersHosts {
            Log.say("  measuring the output (second run)…")
            do {
                let (metrics, outcome) = try measureOutput(arguments, stderrPath: input.folder + "/\(row.id.rawValue).metrics.stderr")
                if outcome.succeeded {
                    result.metrics = metrics
                    if let format = metrics.format { result.notes.append(format.rawValue) }
                    if metrics.warnings > 0 { result.notes.append("\(metrics.warnings) warnings") }
                    if metrics.unknownSetNames > 0 { result.notes.append("\(metrics.unknownSetNames) set names not in the top-level sets") }
                } else {
                    result.notes.append("metrics run failed: \(Self.describe(outcome, stderrPath: nil).joined(separator: ", "))")
                }
            } catch {
                result.notes.append("metrics: \(error)")
            }
        }
        return result
    }

    /// Base and 4x everything in alternation, `repeats` pairs (nil when a run fails).
    func paired(base: RowResult, all4x: RowResult) -> PairedRatio? {
        guard let b = base.command, let x = all4x.command else { return nil }
        Log.say("base and 4x everything in alternation, \(repeats) pair(s)…")
        var ratios: [Double] = []
        for _ in 0..<repeats {
            let runs = [b, x].map { c in
                (try? ChildProcess(executable: extend, arguments: c.arguments, stderrPath: c.folder + "/paired.stderr",
                                   timeout: timeout, maxRSSMB: maxRSSMB))?.finish()
            }
            guard let rb = runs[0], let rx = runs[1], rb.succeeded, rx.succeeded else { return nil }
            ratios.append(rx.seconds / max(0.001, rb.seconds))
        }
        return ratios.isEmpty ? nil : PairedRatio(ratios: ratios)
    }

    /// An incremental row: `extend changes` plans one change from the base
    /// (timed: the process, and the plan as it reports it); the hosts it
    /// reaches are checked against the hosts whose rendered digest differs
    /// between a full render before and after the change.
    private func measureChange(_ kind: BenchRow.Change, _ row: BenchRow, _ input: BenchInput, _ base: RowResult) -> RowResult {
        var result = base
        let change = kind == .podRelabel ? input.cluster.podRelabel : input.cluster.namespaceRelabel
        guard let change else {
            result.notes.append("input too small for this change")
            return result
        }
        result.notes.append(change.summary)
        guard let path = Self.write(change, row, input, &result) else { return result }
        Log.say("\(row.title): extend changes…")
        let stderrPath = input.folder + "/\(row.id.rawValue).stderr"
        let arguments = ["changes", "--output", "json", "--verbose"] + input.extendArguments + ["--changed", path]
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: extend, arguments: arguments, stderrPath: stderrPath,
                                     timeout: timeout, maxRSSMB: maxRSSMB, keepHead: 64 << 20)
        } catch {
            result.notes.append(error.description)
            return result
        }
        let timed = child.finish()
        result.timed = timed
        result.notes += Self.describe(timed, stderrPath: stderrPath)
        guard timed.succeeded,
              let doc = try? JSONSerialization.jsonObject(with: Data(child.head)) as? [String: Any],
              let hosts = doc["hosts"] as? [[String: Any]] else {
            result.notes.append("changes gave no readable answer")
            return result
        }
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        if let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("planned ") }),
           let ms = line.split(separator: " ").firstIndex(of: "in").map({ line.split(separator: " ")[$0 + 1] }) {
            result.notes.append("plan \(ms) ms")
        }
        let reached = Set(hosts.compactMap { $0["name"] as? String })
        let entries = hosts.filter { $0["change"] as? String == "entries" }.count
        result.notes.append("hosts contacted \(reached.count) (\(entries) entry changes, \(reached.count - entries) rebuilds)")
        Log.say("  \(ResultsTable.seconds(timed.seconds)); checking against full renders…")
        do {
            let render = ["render", "--output", "json"] + input.extendArguments
            let (before, b) = try measureOutput(render, stderrPath: input.folder + "/\(row.id.rawValue).before.stderr")
            let (after, a) = try measureOutput(render + ["--manifests", path], stderrPath: input.folder + "/\(row.id.rawValue).after.stderr")
            guard b.succeeded, a.succeeded else {
                result.notes.append("full renders failed")
                return result
            }
            let truly = Set(before.digests.keys.filter { before.digests[$0] != after.digests[$0] })
            result.notes.append("truly affected \(truly.count)" + (truly == reached ? " (the same hosts)" : "; MISMATCH: \(reached.symmetricDifference(truly).count) hosts differ"))
        } catch {
            result.notes.append("full renders: \(error)")
        }
        return result
    }

    /// The change's manifest beside the input (`ROW.change.json`); nil, with a note, when it cannot be written.
    private static func write(_ change: SyntheticCluster.Change, _ row: BenchRow, _ input: BenchInput, _ result: inout RowResult) -> String? {
        let path = input.folder + "/\(row.id.rawValue).change.json"
        do {
            try Data(change.manifest).write(to: URL(fileURLWithPath: path), options: .atomic)
            return path
        } catch {
            result.notes.append("cannot write \(path): \(error)")
            return nil
        }
    }

    /// A second run of extend, measured by a child of ours (`--scan-output`)
    /// that prints the metrics: this process stays small.
    private func measureOutput(_ arguments: [String], stderrPath: String) throws -> (RenderMetrics, ChildOutcome) {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let child = try ChildProcess(executable: me, arguments: ["--scan-output", "--", extend] + arguments, stderrPath: stderrPath,
                                     timeout: timeout, maxRSSMB: nil, keepHead: 1 << 30)
        let outcome = child.finish()
        guard outcome.succeeded else { return (RenderMetrics(), outcome) }
        return (try JSONDecoder().decode(RenderMetrics.self, from: Data(child.head)), outcome)
    }

    /// `--scan-output -- EXTEND ARGS…`: runs extend, scans its output as it
    /// streams, prints the metrics as JSON; exits 1 when extend failed.
    static func scanAndPrint(_ command: [String]) throws {
        guard let executable = command.first else { throw ChildError("--scan-output needs a command after --") }
        let child = try ChildProcess(executable: executable, arguments: Array(command.dropFirst()), stderrPath: "-",
                                     timeout: nil, maxRSSMB: nil)
        let scanner = RenderOutputScanner { child.read(into: $0) }
        let scanned = Result { try scanner.run() }
        let outcome = child.finish()
        guard outcome.succeeded else { throw ChildError("\(executable) failed: \(outcome.termination)") }
        FileHandle.standardOutput.write(try JSONEncoder().encode(try scanned.get()))
    }

    /// How the run ended, when not plainly, and the warnings it printed.
    static func describe(_ t: ChildOutcome, stderrPath: String?) -> [String] {
        var notes: [String] = []
        switch t.stop {
        case .timeout?: notes.append("killed at the timeout")
        case .memoryCap?: notes.append("killed at the memory cap")
        case nil:
            switch t.termination {
            case .exited(0): break
            case .exited(let code): notes.append("exit \(code)")
            case .signaled(let signal): notes.append("killed by signal \(signal)")
            case .unknown: notes.append("exit status unknown")
            }
        }
        if let stderrPath, let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) {
            let lines = text.split(separator: "\n")
            let warnings = lines.filter { $0.contains("warning:") }.count
            if warnings > 0 { notes.append("\(warnings) warnings") }
            if !t.succeeded, let first = lines.first(where: { !$0.contains("warning:") }) {
                notes.append("stderr: \(first.prefix(160))")
            }
        }
        return notes
    }

    /// explain's verdict, from its JSON answer.
    static func verdict(_ head: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(head)) as? [String: Any],
              let verdict = object["verdict"] as? String else { return "verdict unreadable" }
        return "verdict: \(verdict)"
    }
}

extension BenchRow.Work {
    /// Rows whose output is a render document that the metrics run can measure.
    var rendersHosts: Bool {
        switch self {
        case .render, .renderAudit, .renderHost: return true
        case .explain, .incremental, .matrix, .connections: return false
        }
    }
}
