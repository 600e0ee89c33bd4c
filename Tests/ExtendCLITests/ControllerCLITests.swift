import Foundation
import KubeSupport
import Testing

/// `extend controller --dry-run` against the stand-in API server: it syncs,
/// runs every host once, becomes ready, follows a change to exactly the hosts
/// it affects, serves its metrics, and stops on SIGTERM.
@Suite(.serialized) struct ControllerCLITests {
    static func plannedRuns(_ log: String, host: String) -> Int {
        log.components(separatedBy: "host \(host): would ").count - 1
    }

    @Test func dryRunSyncsRunsEveryHostAndFollowsAChangeToTheHostsItAffects() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let hosts = ["backup-01", "billing-db-01", "reporting-01"]
            let p = try ControllerProcess(["controller", "--dry-run", "--kubeconfig", server.kubeconfig,
                                           "--inventory", CLI.exampleInventory, "--listen", "127.0.0.1:0",
                                           "--min-interval", "0.2", "--inventory-poll", "0.5"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            // Every host once, after the sync.
            try await p.wait(for: "a planned run of every host") { log in hosts.allSatisfy { Self.plannedRuns(log, host: $0) == 1 } }
            let ready = try await ControllerProcess.readyz(port: port) { $0 == "ready\n" }
            #expect(ready.status == 200, "\(ready)\n\(p.log)")
            #expect(await ControllerProcess.get(port: port, "/healthz").status == 200)
            let metrics = await ControllerProcess.get(port: port, "/metrics").body
            #expect(ControllerProcess.metric(metrics, #"netpol_extend_host_runs_total{outcome="planned"}"#) == 3, "\(metrics)")
            #expect(ControllerProcess.metric(metrics, #"netpol_extend_hosts{state="converged"}"#) == 3, "\(metrics)")

            // Independently: which hosts' desired state a deleted api pod changes.
            let changes = try CLI.run(["changes", "--output", "json", "--deleted", "pod/live/api-6d4f9"] + CLI.example)
            #expect(changes.exited(0), "\(changes)")
            let affected = try #require((try changes.json()["hosts"] as? [[String: Any]])?.compactMap { $0["name"] as? String })
            #expect(!affected.isEmpty && affected.count < hosts.count, "a change that reaches some hosts, not all: \(affected)")

            _ = try server.delete("/api/v1/namespaces/live/pods/api-6d4f9")
            try await p.wait(for: "a second planned run of \(affected)") { log in
                affected.allSatisfy { Self.plannedRuns(log, host: $0) == 2 }
            }
            // Give any stray run time to show up, then check nobody else ran.
            try await Task.sleep(for: .seconds(1))
            for h in hosts where !affected.contains(h) {
                #expect(Self.plannedRuns(p.log, host: h) == 1, "\(h) was not affected and must not run again:\n\(p.log)")
            }

            let status = await p.terminate()
            #expect(status == 0, "SIGTERM stops it cleanly:\n\(p.log)")
            #expect(p.log.contains("controller stopped"))
        }
    }

    @Test func anInvalidInventoryEditIsRejectedAndTheLastGoodOneKept() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-inv-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("inventory.yaml").path
            let good = try String(contentsOfFile: CLI.exampleInventory, encoding: .utf8)
            try good.write(toFile: path, atomically: true, encoding: .utf8)
            let p = try ControllerProcess(["controller", "--dry-run", "--kubeconfig", server.kubeconfig, "--inventory", path,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2", "--inventory-poll", "0.3"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            try await p.wait(for: "the first runs") { Self.plannedRuns($0, host: "backup-01") == 1 }

            try good.replacingOccurrences(of: "port: 873", with: "port: 99999").write(toFile: path, atomically: true, encoding: .utf8)
            try await p.wait(for: "the rejection") { $0.contains("rejected, keeping the last good inventory") }
            #expect(p.log.contains("inventory.yaml:"), "the error names the file and line:\n\(p.log)")
            let ready = await ControllerProcess.get(port: port, "/readyz")
            #expect(ready.status == 200, "the last good inventory keeps working")
            let metrics = await ControllerProcess.get(port: port, "/metrics").body
            #expect(ControllerProcess.metric(metrics, "netpol_extend_inventory_rejected_total") == 1, "\(metrics)")

            // Fixed, and backup-01 removed: its rules are removed (a dry-run removal), the others stay.
            let without = try Self.removingHost("backup-01", from: good)
            try without.write(toFile: path, atomically: true, encoding: .utf8)
            try await p.wait(for: "backup-01's removal") { $0.contains("host backup-01: would remove every rule and set of ours") }
            #expect(await p.terminate() == 0)
        }
    }

    @Test func twoReplicasWithLeaderElectionOneRunsHostsAndTheOtherTakesOverOnSIGTERM() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            func start() throws -> ControllerProcess {
                try ControllerProcess(["controller", "--dry-run", "--leader-election", "--namespace", "live",
                                       "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                       "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            }
            let first = try start()
            defer { first.stop() }
            try await first.wait(for: "the first replica to lead and run every host") { Self.plannedRuns($0, host: "billing-db-01") == 1 }
            let second = try start()
            defer { second.stop() }
            try await second.wait(for: "the second replica to sync") { $0.contains("cluster synced") }
            try await Task.sleep(for: .seconds(3))
            #expect(Self.plannedRuns(second.log, host: "billing-db-01") == 0, "a standby runs no host:\n\(second.log)")
            #expect(second.log.contains("not leading") || !second.log.contains("leading: this replica works"), "\(second.log)")

            // The leader stops (releasing the Lease): the standby takes over and runs every host.
            #expect(await first.terminate() == 0, "\(first.log)")
            let t = ContinuousClock.now
            try await second.wait(for: "the takeover", timeout: .seconds(20)) { log in
                ["backup-01", "billing-db-01", "reporting-01"].allSatisfy { Self.plannedRuns(log, host: $0) == 1 }
            }
            #expect(ContinuousClock.now - t < .seconds(10), "a released lease is taken within a few retry periods, not a lease duration")
            let lease = try server.send("GET", "/apis/coordination.k8s.io/v1/namespaces/live/leases/netpol-extend")
            let holder = (lease["spec"] as? [String: Any])?["holderIdentity"] as? String
            #expect(holder?.isEmpty == false && holder.map { second.log.contains($0) } == true, "the Lease names the second replica: \(lease)")
            let events = try server.send("GET", "/api/v1/namespaces/live/events")
            let reasons = (events["items"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.contains("LeaderElected"), "Events were posted: \(reasons)")
            #expect(await second.terminate() == 0)
        }
    }

    @Test func aKilledLeaderIsReplacedOnceItsLeaseRunsOutNotBefore() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            func start() throws -> ControllerProcess {
                try ControllerProcess(["controller", "--dry-run", "--leader-election", "--namespace", "live", "--no-events",
                                       "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                       "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            }
            let first = try start()
            defer { first.stop() }
            try await first.wait(for: "the first replica to lead") { Self.plannedRuns($0, host: "billing-db-01") == 1 }
            let second = try start()
            defer { second.stop() }
            try await second.wait(for: "the second replica to sync") { $0.contains("cluster synced") }
            // A crash: no release. The lease (15 s) must run out before the standby takes over.
            kill(first.process.processIdentifier, SIGKILL)
            let killed = ContinuousClock.now
            try await second.wait(for: "the takeover", timeout: .seconds(40)) { Self.plannedRuns($0, host: "billing-db-01") == 1 }
            let after = ContinuousClock.now - killed
            #expect(after >= .seconds(10) && after <= .seconds(25), "taken over \(after) after the kill: not before the lease could run out, soon after it did")
            #expect(await second.terminate() == 0)
        }
    }

    /// The example inventory without one host's entry (its lines up to the next `- name:`).
    static func removingHost(_ name: String, from text: String) throws -> String {
        var out: [Substring] = []
        var skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("- name:") { skipping = trimmed == "- name: \(name)" }
            if !skipping { out.append(line) }
        }
        #expect(out.count < text.split(separator: "\n", omittingEmptySubsequences: false).count, "the host's entry was found")
        return out.joined(separator: "\n")
    }
}

/// Credentials the API server rejects: the controller says so on /readyz
/// and in its log while it cannot work, and recovers by itself once the
/// token file holds a good token again (it is read again after a 401).
@Suite(.serialized) struct ControllerCredentialsCLITests {
    @Test func aRejectedTokenIsReportedAndARotatedOneRecovers() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let files = try TempFiles()
            let good = try server.token()
            let tokenFile = try files.write("token", Array("not-the-token".utf8))
            // The stand-in's kubeconfig, with the user's token read from a file instead.
            let kubeconfig = try server.kubeconfig(authenticating: "    tokenFile: \(tokenFile)", in: files)

            let p = try ControllerProcess(["controller", "--dry-run", "--kubeconfig", kubeconfig, "--inventory", CLI.exampleInventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2", "--no-events"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            var readyz = try await ControllerProcess.readyz(port: port) { $0.contains("; watch ") }
            #expect(readyz.status == 503, "\(readyz)")
            #expect(readyz.body.contains("rejected the credentials") || readyz.body.contains("Unauthorized"), "says what is wrong: \(readyz.body)")
            #expect(!readyz.body.contains(good) && !p.log.contains(good) && !p.log.contains("not-the-token"), "no token in messages")

            // The token is rotated into the file: the next attempt reads it and the controller gets to work.
            try good.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try await p.wait(for: "the runs after recovery", timeout: .seconds(60)) { $0.contains("host billing-db-01: would") }
            readyz = try await ControllerProcess.readyz(port: port) { $0 == "ready\n" }
            #expect(readyz.status == 200, "\(readyz)\n\(p.log)")
            #expect(await p.terminate() == 0)
        }
    }
}
