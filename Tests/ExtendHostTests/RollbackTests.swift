import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension HostLabBacked {
    /// An apply that is not confirmed over a fresh connection must put the
    /// host back as it was, by itself, whatever point the apply reached:
    /// exactly the old rules, never a mix.
    @Suite("Rollback on the host")
    struct Rollback {
        /// Old rules: the database admits the api on its port.
        static func oldPolicies() -> [NetworkPolicy] {
            [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                       ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])])]
        }

        /// New rules, large on purpose: ingress from 30,000 client pods (one
        /// set of 30,000 members, a payload of some MB), and egress isolated.
        static func newPolicies() -> [NetworkPolicy] {
            [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                       ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)]),
                                 NP.rule([NP.pods(.everything, in: NP.nsName("clients"))], ports: [NP.port(80), NP.port(443)])],
                       egress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(8080)])])]
        }

        /// 30,000 client pods on addresses of 198.19.0.0/16 and up, leaving
        /// out the lab's own /24 (the lab hosts' addresses are taken).
        static func clients(_ lab: Lab) -> ClusterState {
            let labPrefix = lab.subnet.split(separator: ".").prefix(3).joined(separator: ".") + "."
            var pods: [Pod] = []
            var n = 0
            while pods.count < 30_000 {
                let address = "198.\(19 - (n >> 16)).\((n >> 8) & 255).\(n & 255)"
                n += 1
                if address.hasPrefix(labPrefix) { continue }
                pods.append(Pod(namespace: "clients", name: "client-\(pods.count)", labels: ["app": "client"],
                                ips: [IPAddress(address)!]))
            }
            return ClusterState(namespaces: [Namespace(name: "clients")], pods: pods)
        }

        /// The two lab hosts as inventory hosts: the database and the api.
        static func inventory(_ lab: Lab) -> [LegacyHost] {
            [lab.legacyHost(lab.hosts[0], labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
        }

        /// Applies the old rules and returns the state they leave.
        static func applyOld(_ lab: Lab) async throws -> HostState {
            let old = try lab.agents(inventory(lab), policies: oldPolicies())[0]
            let r = try await old.applyOffPool()
            #expect(r.status == .applied, "\(r.message)")
            let state = try HostState.read(lab, lab.hosts[0])
            #expect(!state.holdsNothingOfOurs)
            return state
        }

        /// Waits until the host holds `state` again and no rollback is pending.
        static func expectRestored(_ lab: Lab, to state: HostState, within: Duration = .seconds(20),
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let host = lab.hosts[0]
            let back = try await poll(timeout: within) {
                try lab.rollbacks(in: host).isEmpty && (try? HostState.read(lab, host)) == state
            }
            let now = try HostState.read(lab, host)
            // (The host's state directories live in its sshd's mount namespace,
            // gone with it; its sets are in its network namespace.)
            let home = host.directory
            let log = (try? String(contentsOfFile: home + "/var-lib-netpol-extend/rollback.log", encoding: .utf8)) ?? "(no rollback.log)"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: home + "/var-lib-netpol-extend/rollback")) ?? []).sorted()
            let sets = back ? "" : ((try? lab.shell(host, "ipset list -n")) ?? "") + "\nrollback.log: \(log)\nrollback files: \(files)"
            #expect(back, "the host did not return to its old rules; its sets:\n\(sets)\nrollbacks still running: \((try? lab.rollbacks(in: host)) ?? [])\nit holds:\n\(now.ours.prefix(1500))", sourceLocation: sourceLocation)
            #expect(now.ours == state.ours, sourceLocation: sourceLocation)
            #expect(now.foreign == state.foreign, sourceLocation: sourceLocation)
        }

        /// While the rollback is still pending (or running), the host does not
        /// hold the old rules: the apply did load its change. (Read the rules
        /// first: if the rollback is still alive afterwards, it had not
        /// finished when they were read.)
        static func expectChangedUntilRollback(_ lab: Lab, from old: HostState,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
            let host = lab.hosts[0]
            let now = try HostState.read(lab, host)
            if try !lab.rollbacks(in: host).isEmpty {
                #expect(now.ours != old.ours, "the apply should have loaded its change before the rollback",
                        sourceLocation: sourceLocation)
            }
        }

        /// After sshd is back, the same apply converges.
        static func expectConverges(_ lab: Lab, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            try lab.startSSHD(lab.hosts[0])
            let agent = try lab.agents(inventory(lab), policies: newPolicies(), cluster: clients(lab))[0]
            let r = try await agent.applyOffPool()
            #expect(r.status == .applied, "\(r.message)", sourceLocation: sourceLocation)
            let d = try await agent.diffOffPool()
            #expect(d.status == .inSync, "\(d.message)", sourceLocation: sourceLocation)
        }

        @Test("sshd killed after the apply command started and before the confirmation: the host reverts to exactly the old rules, then converges once sshd is back")
        func sshdKilledBeforeConfirmation() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let old = try await Self.applyOld(lab)
                let agent = try lab.agents(Self.inventory(lab), policies: Self.newPolicies(), cluster: Self.clients(lab),
                                           options: .shortRollback)[0]
                let sshd = try #require(lab.sshdPID(of: host))

                // Hold the host's apply lock, so the apply we start waits at a
                // known point: its command is running, nothing is loaded yet.
                let holder = try LockHolder(lab, host, sshd: sshd)
                defer { holder.release() }
                let applying = Task { try await agent.applyOffPool() }
                let waiting = try await poll(timeout: .seconds(30), interval: .milliseconds(20)) {
                    ProcessTree.read().descendants(of: sshd).contains { $0.arguments.prefix(2) == ["flock", "-w"] }
                }
                try #require(waiting, "the apply never reached the host's lock")
                lab.killSSHD(host)
                holder.release()

                let report = try await applying.value
                #expect(report.status == .error)
                #expect(report.message.contains("could not be confirmed over a fresh connection"), "\(report.message)")
                #expect(report.message.contains("restores its previous rules by itself within 3 s"), "\(report.message)")
                #expect(report.message.contains(host.name))
                // The change did go in: the rollback is what takes it out again.
                try Self.expectChangedUntilRollback(lab, from: old)

                try await Self.expectRestored(lab, to: old)
                try await Self.expectConverges(lab)
            }
        }

        /// With `setsidDelay`, the host's setsid waits that long before it
        /// runs: a rollback slow to detach, which an apply that went on
        /// loading at once would lose along with the session.
        @Test("sshd and its sessions killed while the sets are loading: the host reverts to exactly the old rules, never a mix, then converges once sshd is back",
              arguments: [0.0, 0.5])
        func sshdKilledMidLoad(setsidDelay: Double) async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                if setsidDelay > 0 { try lab.slowDown("/usr/bin/setsid", by: setsidDelay, on: host) }
                // Inside `ipset restore`: after the rollback was scheduled, before the chains.
                let kill = try await Self.killSession(lab, host, during: "ipset restore") {
                    $0.arguments.prefix(2) == ["ipset", "restore"]
                }
                try await Self.expectRestored(lab, to: kill.old)
                try await Self.expectConverges(lab)
            }
        }

        /// The window between a family's transaction going in and the apply
        /// going on: iptables-restore here lingers after it has loaded the
        /// IPv4 chains, and the session dies then. The rollback must see that
        /// those chains went in, though the apply never got to say so.
        @Test("sshd and its sessions killed just after the IPv4 chains went in: the host reverts to exactly the old rules, chains included")
        func sshdKilledAfterChains() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                try lab.slowDown("/usr/sbin/iptables-restore", by: 1.25, .after, on: host)
                let kill = try await Self.killSession(lab, host, during: "the pause after iptables-restore") {
                    $0.arguments == ["sleep", "1.25"]
                }
                // The new chains were in (egress is new: the jump into NPX-OUTPUT),
                // as long as the rollback has not run yet (read first, then look).
                let loaded = try HostState.read(lab, host)
                if try !lab.rollbacks(in: host).isEmpty {
                    #expect(loaded.ours.contains("-A OUTPUT -j NPX-OUTPUT"),
                            "the new IPv4 chains were not in place when the session died: \(loaded.ours)")
                }
                try await Self.expectRestored(lab, to: kill.old)
                try await Self.expectConverges(lab)
            }
        }

        @Test("a skipped confirmation: the report names the pending rollback, the host reverts to exactly the old rules by itself and logs it")
        func skippedConfirmation() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                let old = try await Self.applyOld(lab)
                var options = HostAgent.Options.shortRollback
                options.skipConfirmation = true
                let agent = try lab.agents(Self.inventory(lab), policies: Self.newPolicies(), options: options)[0]
                let started = ContinuousClock.now
                let report = try await agent.applyOffPool()
                #expect(report.status == .error)
                #expect(report.message.contains("not confirmed"), "\(report.message)")
                #expect(report.message.contains("restores its previous rules by itself within 3 s"), "\(report.message)")
                try Self.expectChangedUntilRollback(lab, from: old)
                #expect(try lab.exec(in: host, ["test", "-s", "/run/netpol-extend/rollback.pid"]).succeeded)

                try await Self.expectRestored(lab, to: old)
                #expect(ContinuousClock.now - started >= .seconds(3), "the rollback ran before its time")
                let log = try lab.shell(host, "cat /var/lib/netpol-extend/rollback.log")
                #expect(log.contains("rolled back an unconfirmed apply, status 0"), "\(log)")
                #expect(!(try lab.exec(in: host, ["test", "-e", "/run/netpol-extend/rollback.pid"]).succeeded))

                // The next apply (confirmed) goes through.
                options = .lab
                let again = try lab.agents(Self.inventory(lab), policies: Self.newPolicies(), options: options)[0]
                let r = try await again.applyOffPool()
                #expect(r.status == .applied, "\(r.message)")
            }
        }

        @Test("a confirmation that really fails (the new rules drop our fresh connection): the host reverts by itself and SSH works again")
        func realFailedConfirmation() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0], peer = lab.hosts[1]
                let before = try HostState.read(lab, host)
                // No management sources and no guard: ingress isolated, only the
                // peer host admitted, so nothing from this machine gets in.
                let hosts = [lab.legacyHost(host, labels: ["role": "db"], management: []),
                             lab.legacyHost(peer, labels: ["role": "api"], management: [])]
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress],
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))])])]
                var agent = try lab.agents(hosts, policies: policies, extraGuard: [], options: .shortRollback)[0]
                agent.endpoint.connectTimeout = .seconds(2)
                #expect(!agent.desired.needsNothing)

                let report = try await agent.applyOffPool()
                #expect(report.status == .error)
                // Normally the fresh connection times out; on a machine so busy
                // that the rollback runs first, it gets in and finds the old rules.
                #expect(report.message.contains("could not be confirmed over a fresh connection")
                        || report.message.contains("does not hold the wanted rules"), "\(report.message)")
                #expect(report.message.contains("restores its previous rules by itself"), "\(report.message)")

                try await Self.expectRestored(lab, to: before)
                let back = try await SSHTransport.withConnection(lab.endpoint(host)) { c in try c.run("echo back") }
                #expect(back.stdoutText == "back\n")
                let log = try lab.shell(host, "cat /var/lib/netpol-extend/rollback.log")
                #expect(log.contains("rolled back an unconfirmed apply"), "\(log)")
            }
        }
    }
}

/// Holds a lab host's /run/netpol-extend/lock (in its sshd's mount
/// namespace) until released, from a process started here and ended by pid.
final class LockHolder: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private var released = false

    init(_ lab: Lab, _ host: LabHost, sshd: Int32) throws {
        try Traffic.requirePython()
        let log = lab.path("lock-holder.log")
        guard FileManager.default.createFile(atPath: log, contents: nil),
              let handle = FileHandle(forWritingAtPath: log) else { throw LabError("cannot create \(log)") }
        defer { try? handle.close() }
        let script = """
            import fcntl, sys
            f = open("/run/netpol-extend/lock", "a")
            fcntl.flock(f, fcntl.LOCK_EX)
            print("locked", flush=True)
            sys.stdin.read()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--target", String(sshd), "--mount", "--net", "--", Traffic.python, "-c", script]
        process.standardInput = input
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("locked") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                release()
                throw LabError("could not take \(host.name)'s lock: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(10_000)
        }
    }

    /// Ends the holder (its stdin closes; SIGKILL by pid if it lingers) and reaps it.
    func release() {
        guard !released else { return }
        released = true
        try? input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { release() }
}
