import ExtendSSH
import Foundation
import LabSupport

/// `--profile`: where one host's time goes, one host at a time (no other
/// host competing for the CPU): a bare connection, one remote command, and
/// each row of the fleet table for a single host, repeated.
enum Profile {
    struct Step {
        var name: String
        var times: [Duration] = []
        var counts: [SSHDCounts] = []
    }

    static func run(lab: Lab, scenario: Scenario, ws: AnsibleWorkspace?, reps: Int, cleanup: Cleanup) async throws -> String {
        guard let i = lab.hosts.indices.first(where: { scenario.isolated($0) && scenario.names[$0].hasPrefix("reporting") }) else {
            throw BenchError("no reporting host to profile")
        }
        let host = lab.hosts[i], agent = scenario.agents[i], name = scenario.names[i]
        let clock = ContinuousClock()
        var steps: [Step] = []

        func measure(_ label: String, before: () throws -> Void = {}, _ body: () async throws -> Duration?) async throws {
            var s = Step(name: label)
            for _ in 0..<reps {
                try before()
                let c0 = SSHDCounts.read(lab)[i]
                let t0 = clock.now
                let reported = try await body()
                s.times.append(reported ?? clock.now - t0)
                s.counts.append(SSHDCounts.read(lab)[i] - c0)
            }
            steps.append(s)
        }
        func fleet(_ mode: Fleet.Mode) async throws -> Duration? {
            let r = await Fleet.run([agent], mode: mode, concurrency: 1)
            guard let first = r.first, !first.failed else { throw BenchError("profile: \(name): \(r.first?.message ?? "no report")") }
            return .milliseconds(first.milliseconds)
        }
        let reset = { () throws in try LabRules.reset(lab, host) }

        try await measure("libssh2 connect + authenticate + close") {
            let conn = try SSHConnection.connect(agent.endpoint)
            conn.close()
            return nil
        }
        let conn = try SSHConnection.connect(agent.endpoint)
        try await measure("one remote command (`true`) on an open connection") {
            let r = try conn.run("true")
            guard r.succeeded else { throw BenchError("profile: `true` exited \(r.exitStatus)") }
            return nil
        }
        conn.close()
        try await measure("extend diff, fresh host", before: reset) { try await fleet(.diff) }
        try await measure("extend apply, first", before: reset) { try await fleet(.apply) }
        try await measure("extend diff, converged") { try await fleet(.diff) }
        try await measure("extend apply, no change") { try await fleet(.apply) }
        if let ws {
            var last: AnsibleRun?
            let ansible = { (label: String) throws -> Duration? in
                let r = try AnsibleRun.run(ws, label: "profile", limit: name, cleanup: cleanup)
                guard r.status == 0 else { throw BenchError("profile: ansible-playbook (\(label)) exited \(r.status):\n\(r.log)") }
                last = r
                return r.hosts[name]?.busy
            }
            var walls: [Duration] = []
            try await measure("Ansible first apply (callback: the host's task times)", before: reset) {
                let d = try ansible("first"); walls.append(last?.wall ?? .zero); return d
            }
            steps.append(Step(name: "Ansible first apply, whole ansible-playbook run", times: walls, counts: steps.last?.counts ?? []))
            walls = []
            try await measure("Ansible no change (callback: the host's task times)") {
                let d = try ansible("again"); walls.append(last?.wall ?? .zero); return d
            }
            steps.append(Step(name: "Ansible no change, whole ansible-playbook run", times: walls, counts: steps.last?.counts ?? []))
        }
        try reset()

        var out = "## One host at a time: \(name), \(reps) repetitions, medians\n\n"
        out += "| step | median | min | SSH connections | remote commands (+ sftp) |\n|---|---|---|---|---|\n"
        for s in steps {
            let t = s.counts.map(\.transfers)
            out += "| \(s.name) | \(ResultTable.millis(ResultTable.percentile(s.times, 0.5))) | \(ResultTable.millis(s.times.min() ?? .zero)) | "
                + "\(ResultTable.range(s.counts.map(\.connections))) | \(ResultTable.range(s.counts.map(\.commands)))"
                + (t.allSatisfy { $0 == 0 } ? "" : " (+ \(ResultTable.range(t)))") + " |\n"
        }
        return out
    }
}
