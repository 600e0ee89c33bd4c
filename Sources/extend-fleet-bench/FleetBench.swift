import ExtendCore
import ExtendSSH
import Foundation
import LabSupport

/// The fleet benchmark: `diff` and `apply` of the bundled example to a lab of
/// network-namespace hosts, side by side in the same run with an Ansible
/// playbook pushing the same rendered payloads, ending in identical rules.
///
///     swift build -c release --product extend-fleet-bench && .build/release/extend-fleet-bench
///
/// A benchmark, not a timed test: it prints a markdown table for
/// docs/performance.md and fails only when a run fails or the rules differ.
@main
struct FleetBench {
    static func main() async {
        let cleanup = Cleanup()
        do {
            let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
            try await run(options, cleanup: cleanup)
        } catch let e as BenchError {
            cleanup.run()
            // Interrupted: what failed was the lab going away under the run.
            if let sig = cleanup.signalled { exit(128 + sig) }
            FileHandle.standardError.write(Data("extend-fleet-bench: \(e.description)\n".utf8))
            exit(e.exitCode)
        } catch {
            cleanup.run()
            if let sig = cleanup.signalled { exit(128 + sig) }
            FileHandle.standardError.write(Data("extend-fleet-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8 + Data("\n".utf8)))
    }

    static func run(_ o: BenchOptions, cleanup: Cleanup) async throws {
        if !o.skipAnsible, let missing = AnsibleRun.missing { throw BenchError(missing, exitCode: 2) }
        if let missing = Lab.missingPrerequisites.first {
            throw BenchError("cannot build a lab here: \(missing) (run scripts/install-deps, as root)", exitCode: 2)
        }
        guard FileManager.default.fileExists(atPath: o.cluster) else {
            throw BenchError("\(o.cluster) not found: run from the repository root, or pass --cluster", exitCode: 2)
        }
        cleanup.installSignalHandlers()
        let clock = ContinuousClock()
        let loadBefore = loadAverage()

        note("building a lab of \(o.hosts) hosts…")
        var t = clock.now
        let lab = try Lab(count: o.hosts)
        cleanup.lab = lab
        defer { cleanup.run() }
        let labTime = clock.now - t
        note("lab \(lab.id) on \(lab.subnet) ready in \(ResultTable.seconds(labTime))")

        t = clock.now
        let scenario = try Scenario.build(lab: lab, clusterPath: o.cluster)
        let inputTime = clock.now - t
        let ruled = lab.hosts.indices.filter { scenario.isolated($0) }
        guard !ruled.isEmpty else { throw BenchError("no host of the scenario holds rules") }
        if o.withBashrc {
            note("restarting the hosts' sshd without the lab's empty HOME (remote shells run root's ~/.bashrc)…")
            try LabVariant.withBashrc(lab, probe: scenario.agents[0].endpoint)
        }
        if let reps = o.profile {
            var ws: AnsibleWorkspace?
            if !o.skipAnsible {
                ws = try AnsibleWorkspace.write(lab: lab, names: scenario.names, rendered: scenario.rendered, forks: o.concurrency)
                cleanup.workspace = ws
            }
            note("profiling one host, \(reps) repetitions per step…")
            print(try await Profile.run(lab: lab, scenario: scenario, ws: ws, reps: reps, cleanup: cleanup))
            print("- Lab: \(lab.hosts.count) hosts\(o.withBashrc ? ", remote shells run root's ~/.bashrc" : ", remote shells with an empty HOME (no ~/.bashrc)"); load average before: \(loadBefore); after: \(loadAverage()).")
            return
        }

        // extend: (a)–(d), each run from fresh connections, as four CLI runs would.
        var rows: [Row] = []
        func extendRun(_ label: String, _ mode: Fleet.Mode, expect: (Int) -> HostReport.Status) async throws -> Row {
            note("extend: \(label)…")
            let before = SSHDCounts.read(lab)
            let start = clock.now
            let reports = await Fleet.run(scenario.agents, mode: mode, concurrency: o.concurrency)
            let wall = clock.now - start
            let counts = zip(SSHDCounts.read(lab), before).map { $0 - $1 }
            for (i, r) in reports.enumerated() where r.status != expect(i) {
                // Say what the host holds now, against what it should, before its rollback runs.
                let now = await Fleet.run([scenario.agents[i]], mode: .diff, concurrency: 1).first
                let held = (try? LabRules.read(lab, lab.hosts[i])) ?? []
                throw BenchError("extend \(label): \(r.host) is \(r.status.rawValue), expected \(expect(i).rawValue): \(r.message)\n"
                    + "a diff right after: \(now?.status.rawValue ?? "?") \(now?.message ?? "")\n\(now?.diff ?? "")\n"
                    + "the host holds:\n" + held.joined(separator: "\n"))
            }
            let tally = Dictionary(grouping: reports, by: \.status).mapValues(\.count)
            let outcome = HostReport.Status.allCasesOrdered.compactMap { s in tally[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            return Row(tool: "extend", run: label, outcome: outcome, wall: wall,
                       latencies: ruled.map { .milliseconds(reports[$0].milliseconds) }, counts: ruled.map { counts[$0] })
        }
        rows.append(try await extendRun("(a) diff, fresh hosts", .diff) { scenario.isolated($0) ? .changes : .inSync })
        rows.append(try await extendRun("(b) apply, first", .apply) { scenario.isolated($0) ? .applied : .inSync })
        rows.append(try await extendRun("(c) diff, converged", .diff) { _ in .inSync })
        rows.append(try await extendRun("(d) apply, no change", .apply) { _ in .inSync })
        let extendRules = try lab.hosts.map { try LabRules.read(lab, $0) }
        for i in lab.hosts.indices where extendRules[i].isEmpty == scenario.isolated(i) {
            throw BenchError("after extend, \(scenario.names[i]) holds \(extendRules[i].count) line(s) of ours, which is not what it should")
        }

        var notes: [String] = []
        if !o.skipAnsible {
            note("resetting the hosts (removing every rule and set of ours)…")
            for host in lab.hosts { try LabRules.reset(lab, host) }
            let ws = try AnsibleWorkspace.write(lab: lab, names: scenario.names, rendered: scenario.rendered, forks: o.concurrency)
            cleanup.workspace = ws
            func ansibleRun(_ label: String, _ file: String, changed: Bool) throws -> Row {
                note("ansible-playbook: \(label)…")
                let before = SSHDCounts.read(lab)
                let r = try AnsibleRun.run(ws, label: file, cleanup: cleanup)
                let counts = zip(SSHDCounts.read(lab), before).map { $0 - $1 }
                guard r.status == 0 else {
                    throw BenchError("ansible-playbook (\(label)) exited \(r.status):\n" + r.log.split(separator: "\n").suffix(30).joined(separator: "\n"))
                }
                var changedHosts = 0
                for (i, name) in scenario.names.enumerated() {
                    let h = r.hosts[name] ?? .init()
                    if h.failed + h.unreachable > 0 { throw BenchError("ansible-playbook (\(label)): \(name) failed; see the log:\n\(r.log)") }
                    let want = changed && scenario.isolated(i)
                    if (h.changed > 0) != want {
                        throw BenchError("ansible-playbook (\(label)): \(name) reported \(h.changed) change(s), expected \(want ? "some" : "none")")
                    }
                    if h.changed > 0 { changedHosts += 1 }
                }
                let latencies = ruled.map { (r.hosts[scenario.names[$0]] ?? .init()).busy }
                let done = ruled.map { (r.hosts[scenario.names[$0]] ?? .init()).doneAfter }
                notes.append("Ansible \(label): hosts done \(ResultTable.millis(ResultTable.percentile(done, 0.5))) (median) and \(ResultTable.millis(ResultTable.percentile(done, 0.95))) (p95) after the playbook started; the run took \(ResultTable.seconds(r.wall)) including ansible-playbook's own start.")
                return Row(tool: "Ansible", run: label, outcome: "\(changedHosts) changed, \(ruled.count - changedHosts) ok, \(scenario.names.count - ruled.count) skipped", wall: r.wall,
                           latencies: latencies, counts: ruled.map { counts[$0] })
            }
            let first = try ansibleRun("(e) first apply", "first", changed: true)
            let again = try ansibleRun("(f) no change", "again", changed: false)
            rows[1].speedUp = ResultTable.factor(first.wall, rows[1].wall) + " vs (e)"
            rows[3].speedUp = ResultTable.factor(again.wall, rows[3].wall) + " vs (f)"
            rows += [first, again]

            // Identical rules: what Ansible left against what extend left, line for line.
            let ansibleRules = try lab.hosts.map { try LabRules.read(lab, $0) }
            var mismatches: [String] = []
            for i in lab.hosts.indices where ansibleRules[i] != extendRules[i] {
                let only = Set(extendRules[i]).symmetricDifference(ansibleRules[i]).sorted().prefix(4)
                mismatches.append("\(scenario.names[i]): \(extendRules[i].count) lines after extend, \(ansibleRules[i].count) after Ansible; e.g. \(only.joined(separator: " | "))")
            }
            guard mismatches.isEmpty else {
                throw BenchError("the rules differ after Ansible and after extend:\n  " + mismatches.joined(separator: "\n  "))
            }
            let lines = ruled.map { extendRules[$0].count }
            notes.append("Identical rules: on all \(lab.hosts.count) hosts the NPX/npx lines of ipset save, iptables-save and ip6tables-save after Ansible equal those after extend (\(ResultTable.range(lines)) lines on each host that holds rules, none on the \(lab.hosts.count - ruled.count) others).")
            // And extend itself agrees: reading the hosts Ansible loaded, it finds nothing to do.
            let check = await Fleet.run(scenario.agents, mode: .diff, concurrency: o.concurrency)
            let off = check.filter { $0.status != .inSync }
            guard off.isEmpty else {
                throw BenchError("after Ansible, extend diff finds changes: " + off.map { "\($0.host) \($0.status.rawValue): \($0.message)" }.joined(separator: "; "))
            }
            notes.append("`extend diff` after the Ansible runs: all \(check.count) hosts in sync.")
            if let keep = o.keep { try keepFiles(lab: lab, scenario: scenario, ws: ws, into: keep) }
        } else if let keep = o.keep {
            try keepFiles(lab: lab, scenario: scenario, ws: nil, into: keep)
        }

        let loadAfter = loadAverage()
        let legacy = lab.hosts.count - ruled.count
        print("""
            ## Fleet run: \(lab.hosts.count) lab hosts (\(ruled.count) holding rules, \(legacy) selected by no policy), concurrency/forks \(o.concurrency)\(o.withBashrc ? ", remote shells run root's ~/.bashrc" : ", remote shells with an empty HOME (no ~/.bashrc)")

            \(ResultTable.markdown(rows))
            - Per-host latency and counts are over the \(ruled.count) hosts that hold rules. extend: HostReport.milliseconds (connect to done, on the host's worker thread). Ansible: per host, the sum over its tasks and handlers of the time from the task being handed to a worker to its result (callback plugin npx_timing).
            - Counts are what each host's sshd logged (LogLevel VERBOSE): connections authenticated, remote commands started, sftp transfers. The \(legacy) hosts without rules: extend connects once and runs 1 command per run; Ansible skips them (when: false) without connecting.
            - Lab built in \(ResultTable.seconds(labTime)); reading the inventory and manifests and compiling \(lab.hosts.count) hosts took \(ResultTable.millis(inputTime)) (not in the rows).
            - Load average before: \(loadBefore); after: \(loadAfter).
            """)
        for n in notes { print("- " + n) }
    }

    static func loadAverage() -> String {
        let text = (FileManager.default.contents(atPath: "/proc/loadavg")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Copies the generated inventory, playbook, ansible.cfg and payloads out of the lab's directory.
    static func keepFiles(lab: Lab, scenario: Scenario, ws: AnsibleWorkspace?, into dir: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let target = dir + "/inventory.yaml"
        try? fm.removeItem(atPath: target)
        try fm.copyItem(atPath: scenario.inventoryPath, toPath: target)
        // One sshd log per kind of host: what the counts are read from.
        var seen: Set<String> = []
        for (i, name) in scenario.names.enumerated() where seen.insert(String(name.dropLast(3))).inserted {
            let to = dir + "/sshd-\(name).log"
            try? fm.removeItem(atPath: to)
            try fm.copyItem(atPath: lab.hosts[i].sshdLogPath, toPath: to)
            let rules = (try? LabRules.read(lab, lab.hosts[i])) ?? []
            _ = fm.createFile(atPath: dir + "/rules-\(name).txt", contents: Data(rules.map { $0 + "\n" }.joined().utf8))
        }
        guard let ws else { return }
        for item in ["ansible.cfg", "inventory.ini", "playbook.yml", "templates", "callback_plugins", "first.log", "again.log"] {
            let to = dir + "/ansible/" + item
            try fm.createDirectory(atPath: dir + "/ansible", withIntermediateDirectories: true)
            try? fm.removeItem(atPath: to)
            try fm.copyItem(atPath: ws.directory + "/" + item, toPath: to)
        }
        note("kept the generated files in \(dir) (they name the lab's paths, which are gone)")
    }
}

extension HostReport.Status {
    static let allCasesOrdered: [Self] = [.inSync, .changes, .applied, .unreachable, .error]
}
