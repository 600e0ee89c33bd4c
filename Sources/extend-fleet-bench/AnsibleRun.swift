import Foundation

/// One `ansible-playbook` run as a child process, and what its timing
/// callback recorded.
struct AnsibleRun {
    struct HostTiming {
        /// The sum, over the host's tasks and handlers, of the time from the
        /// task being handed to a worker to its result: the host's own latency.
        var busy: Duration = .zero
        /// From the playbook's start to this host's last result.
        var doneAfter: Duration = .zero
        var changed = 0
        var failed = 0
        var unreachable = 0
    }

    var wall: Duration
    var status: Int32
    var hosts: [String: HostTiming]
    var log: String

    static let executable = "/usr/bin/ansible-playbook"

    /// The message for a machine without Ansible.
    static var missing: String? {
        FileManager.default.isExecutableFile(atPath: executable) ? nil : """
            \(executable) not found: this benchmark compares with Debian's Ansible. Install it with
                apt-get install -y ansible
            (an optional benchmark dependency; nothing else needs it), or run with --skip-ansible.
            """
    }

    /// Runs the playbook once, then closes the SSH control masters it left
    /// (ControlPersist), so every run starts from cold connections as extend's do.
    static func run(_ ws: AnsibleWorkspace, label: String, limit: String? = nil, cleanup: Cleanup) throws(BenchError) -> AnsibleRun {
        try? FileManager.default.removeItem(atPath: ws.timingFile)
        let logPath = ws.directory + "/\(label).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else { throw BenchError("cannot write \(logPath)") }
        defer { try? log.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = [ws.playbook] + (limit.map { ["--limit", $0] } ?? [])
        p.currentDirectoryURL = URL(fileURLWithPath: ws.directory)
        var env = ProcessInfo.processInfo.environment
        env["ANSIBLE_CONFIG"] = ws.config
        env["ANSIBLE_HOST_KEY_CHECKING"] = "True"
        // Ansible's own files on this machine stay in the lab's directory, not in ~/.ansible.
        env["ANSIBLE_HOME"] = ws.home
        env["NPX_TIMING_FILE"] = ws.timingFile
        env["ANSIBLE_FORCE_COLOR"] = "0"
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = log
        p.standardError = log
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try p.run()
        } catch {
            throw BenchError("cannot start \(executable): \(error)")
        }
        cleanup.child = p.processIdentifier
        p.waitUntilExit()
        let wall = clock.now - start
        cleanup.child = nil
        closeControlMasters(ws)
        let text = (FileManager.default.contents(atPath: logPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return AnsibleRun(wall: wall, status: p.terminationStatus, hosts: try timings(ws.timingFile), log: text)
    }

    /// `ssh -O exit` on each control socket Ansible's ssh left: ends exactly
    /// the masters of this workspace (each named by its socket), nothing else.
    static func closeControlMasters(_ ws: AnsibleWorkspace) {
        let sockets = (try? FileManager.default.contentsOfDirectory(atPath: ws.controlPathDirectory)) ?? []
        for s in sockets {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
            p.arguments = ["-o", "ControlPath=" + ws.controlPathDirectory + "/" + s, "-O", "exit", "npx-bench"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            if (try? p.run()) != nil { p.waitUntilExit() }
        }
    }

    static func timings(_ path: String) throws(BenchError) -> [String: HostTiming] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchError("the timing callback wrote nothing to \(path): did ansible-playbook start?")
        }
        var playStart: Double?
        var started: [String: Double] = [:]
        var hosts: [String: HostTiming] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let t = Double(f[0]) else { continue }
            let (event, host, task) = (f[1], f[2], f[3])
            switch event {
            case "play-start": playStart = t
            case "start": started[host + "\t" + task] = t
            case "ok", "changed", "failed", "skipped", "unreachable":
                var h = hosts[host] ?? HostTiming()
                if let s = started.removeValue(forKey: host + "\t" + task) { h.busy += .seconds(t - s) }
                if let p = playStart { h.doneAfter = max(h.doneAfter, .seconds(t - p)) }
                if event == "changed" { h.changed += 1 }
                if event == "failed" { h.failed += 1 }
                if event == "unreachable" { h.unreachable += 1 }
                hosts[host] = h
            default: break
            }
        }
        return hosts
    }
}
