import Foundation
import KubeSupport
import Testing

/// `extend controller --dry-run` through the API server's faults (the
/// stand-in's fault injection): bursts of 500 and 429, a dropped watch, a
/// compaction (410), a forbidden watch, a token that expires. Each time it
/// says what is wrong while it cannot work (/readyz, the log, API errors by
/// code on /metrics), and once it can, every change arrives exactly once: the
/// hosts a change reaches (`extend changes`) run once more, no other host
/// does, and each host's final plan is what a fresh controller computes from
/// the final cluster.
@Suite(.serialized) struct ControllerFaultsCLITests {
    static let hosts = ["backup-01", "billing-db-01", "reporting-01"]

    static func start(_ server: FakeAPIServer, kubeconfig: String? = nil) throws -> ControllerProcess {
        try ControllerProcess(["controller", "--dry-run", "--no-events", "--kubeconfig", kubeconfig ?? server.kubeconfig,
                               "--inventory", CLI.exampleInventory, "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
    }

    static func runs(_ log: String) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: hosts.map { ($0, ControllerCLITests.plannedRuns(log, host: $0)) })
    }

    /// Each host's last plan: its digest (or "nothing").
    static func plans(_ log: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in log.split(separator: "\n") {
            for h in hosts {
                guard let r = line.range(of: "host \(h): would ") else { continue }
                let rest = line[r.upperBound...]
                out[h] = rest.range(of: "digest ").map { String(rest[$0.upperBound...].prefix { !$0.isWhitespace }) } ?? String(rest)
            }
        }
        return out
    }

    /// The hosts whose desired state deleting `object` (`pod/NS/NAME`) changes, by `extend changes`.
    static func affected(deleting object: String) async throws -> [String] {
        let (ok, names, said) = try await offPool { () throws -> (Bool, [String], String) in
            let changes = try CLI.run(["changes", "--output", "json", "--deleted", object] + CLI.example)
            let names = (try? changes.json()["hosts"] as? [[String: Any]])??.compactMap { $0["name"] as? String } ?? []
            return (changes.exited(0), names, "\(changes)")
        }
        #expect(ok, "\(said)")
        #expect(!names.isEmpty && names.count < hosts.count, "a change that reaches some hosts, not all: \(names)")
        return names
    }

    /// After a change reaching `affected`: they run once more than `before`, the others not at all (given time to show).
    static func expectOnce(_ p: ControllerProcess, _ affected: [String], since before: [String: Int], _ what: String,
                           timeout: Duration = .seconds(30)) async throws {
        try await p.wait(for: "\(what): a run of \(affected)", timeout: timeout) { log in
            affected.allSatisfy { ControllerCLITests.plannedRuns(log, host: $0) == (before[$0] ?? 0) + 1 }
        }
        try await Task.sleep(for: .seconds(1))
        let now = runs(p.log)
        for h in hosts {
            #expect(now[h] == (before[h] ?? 0) + (affected.contains(h) ? 1 : 0), "\(what): \(h) ran \(now[h] ?? 0) time(s) after \(before[h] ?? 0):\n\(p.log)")
        }
    }

    /// What a fresh controller plans for every host from the cluster as it is now.
    static func freshPlans(_ server: FakeAPIServer) async throws -> (plans: [String: String], log: String) {
        let fresh = try start(server)
        defer { fresh.stop() }
        try await fresh.wait(for: "a fresh controller's plans") { log in hosts.allSatisfy { ControllerCLITests.plannedRuns(log, host: $0) == 1 } }
        let plans = plans(fresh.log)
        #expect(await fresh.terminate() == 0)
        return (plans, fresh.log)
    }

    static func expectConverged(_ p: ControllerProcess, _ server: FakeAPIServer) async throws {
        let (fresh, freshLog) = try await freshPlans(server)
        #expect(fresh.count == hosts.count)
        #expect(plans(p.log) == fresh, "the final plans are a fresh sync's:\n\(p.log)\n-- the fresh controller's log:\n\(freshLog)")
    }

    static func metric(_ port: Int, _ sample: String) async -> Double {
        ControllerProcess.metric(await ControllerProcess.get(port: port, "/metrics").body, sample) ?? 0
    }

    @Test func burstsOf500And429OnListAndWatchAreRiddenOutCountedByCodeAndMissNothing() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let affected = try await Self.affected(deleting: "pod/live/api-6d4f9")
            // The first lists fail with 500 four times (the client retries them).
            try await offPool { _ = try server.adminCall("POST", "/fail", body: ["count": 4, "code": 500, "match": "limit="]) }
            let p = try Self.start(server)
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            try await p.wait(for: "every host planned once") { Self.runs($0).values.allSatisfy { $0 == 1 } }
            #expect(await Self.metric(port, #"netpol_extend_api_errors_total{code="500"}"#) == 4)

            // Every watch is cut and comes back to 429s (Retry-After 1 s) for a while; a pod goes meanwhile.
            let before = Self.runs(p.log)
            try await offPool { _ = try server.adminCall("POST", "/fail", body: ["count": 9, "code": 429, "retryAfter": 1, "match": "watch="]) }
            try await offPool { _ = try server.adminCall("POST", "/drop-watches") }
            try await offPool { _ = try server.delete("/api/v1/namespaces/live/pods/api-6d4f9") }
            // Waited for by its words: "429" alone also matches a server port such as 42985.
            let degraded = try await ControllerProcess.readyz(port: port) { $0.contains("overloaded") }
            #expect(degraded.status == 200 && degraded.body.hasPrefix("ready, but: watch "), "ready (converged), and says what fails: \(degraded)")
            #expect(degraded.body.contains("overloaded"), "\(degraded)")
            try await Self.expectOnce(p, affected, since: before, "after the 429s")
            #expect(await Self.metric(port, #"netpol_extend_api_errors_total{code="429"}"#) == 9)
            #expect(p.log.contains("kept answering 429"), "the log says it:\n\(p.log)")
            let healed = try await ControllerProcess.readyz(port: port) { $0 == "ready\n" }
            #expect(healed.status == 200 && healed.body == "ready\n", "the problem is gone once the watches work: \(healed)")
            try await Self.expectConverged(p, server)
            #expect(await p.terminate() == 0)
        }
    }

    @Test func aDroppedWatchAndACompactionMissNothingAndRepeatNothing() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let first = try await Self.affected(deleting: "pod/live/api-6d4f9")
            let second = try await Self.affected(deleting: "pod/live/ingress-controller-0")
            let p = try Self.start(server)
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            try await p.wait(for: "every host planned once") { Self.runs($0).values.allSatisfy { $0 == 1 } }

            // A cut watch resumes from its last resourceVersion: the delete made meanwhile arrives once.
            var before = Self.runs(p.log)
            try await offPool { _ = try server.adminCall("POST", "/drop-watches") }
            try await offPool { _ = try server.delete("/api/v1/namespaces/live/pods/api-6d4f9") }
            try await Self.expectOnce(p, first, since: before, "after a dropped watch")
            #expect(await Self.metric(port, #"netpol_extend_watch_relists{resource="pods"}"#) == 0, "resumed, not relisted")

            // Cut again and kept away (503) while a pod goes and the history is compacted: the
            // watch comes back to 410, lists again, and hands on only the difference.
            before = Self.runs(p.log)
            try await offPool { _ = try server.adminCall("POST", "/fail", body: ["count": 9, "code": 503, "match": "watch="]) }
            try await offPool { _ = try server.adminCall("POST", "/drop-watches") }
            try await offPool { _ = try server.delete("/api/v1/namespaces/live/pods/ingress-controller-0") }
            // One more write (of a kind nobody watches), so the history from before the delete is gone too.
            try await offPool {
                _ = try server.create("/api/v1/namespaces/live/configmaps", object: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "later", "namespace": "live"]])
            }
            try await offPool { _ = try server.adminCall("POST", "/compact") }
            try await Self.expectOnce(p, second, since: before, "after a compaction", timeout: .seconds(45))
            // Each watch comes back after its own backoff; every one finds its history gone and lists again.
            var metrics = ""
            let resources = ["namespaces", "pods", "networkpolicies"]
            func relists(_ r: String) -> Double { ControllerProcess.metric(metrics, #"netpol_extend_watch_relists{resource="\#(r)"}"#) ?? 0 }
            let deadline = ContinuousClock.now + .seconds(40)
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                metrics = await ControllerProcess.get(port: port, "/metrics").body
            } while !resources.allSatisfy({ relists($0) >= 1 }) && ContinuousClock.now < deadline
            for r in resources { #expect(relists(r) == 1, "\(r) relisted once: \(metrics)\n\(p.log)") }
            #expect(ControllerProcess.metric(metrics, #"netpol_extend_api_errors_total{code="410"}"#) == 3)
            try await Task.sleep(for: .seconds(1))
            #expect(Self.runs(p.log) == Dictionary(uniqueKeysWithValues: Self.hosts.map { ($0, before[$0]! + (second.contains($0) ? 1 : 0)) }),
                    "the other relists found nothing new: no host ran again")
            #expect(await Self.metric(port, #"netpol_extend_api_errors_total{code="503"}"#) == 9)
            try await Self.expectConverged(p, server)
            #expect(await p.terminate() == 0)
        }
    }

    @Test func aForbiddenWatchIsReportedAndOnceAllowedTheChangeItMissedArrivesOnce() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces", "--forbid", "pods:watch"], loading: try ExampleCluster.jsonList()) { server in
            let affected = try await Self.affected(deleting: "pod/live/api-6d4f9")
            let p = try Self.start(server)
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            // Listing is allowed: it syncs and plans every host, but cannot follow pods.
            try await p.wait(for: "every host planned once") { Self.runs($0).values.allSatisfy { $0 == 1 } }
            let forbidden = try await ControllerProcess.readyz(port: port) { $0.contains("watch pods") }
            #expect(forbidden.body.contains(#"allowing "watch" on "pods""#), "names the missing rule: \(forbidden)")
            #expect(p.log.contains(#"allowing "watch" on "pods""#), "\(p.log)")
            #expect(await Self.metric(port, #"netpol_extend_api_errors_total{code="403"}"#) >= 1)

            let before = Self.runs(p.log)
            try await offPool { _ = try server.delete("/api/v1/namespaces/live/pods/api-6d4f9") }
            try await Task.sleep(for: .seconds(1))
            #expect(Self.runs(p.log) == before, "unseen while the watch is forbidden")
            try await offPool { _ = try server.adminCall("POST", "/forbid", body: ["rules": [String]()]) }
            try await Self.expectOnce(p, affected, since: before, "once the watch is allowed", timeout: .seconds(45))
            let healed = try await ControllerProcess.readyz(port: port, timeout: .seconds(30)) { $0 == "ready\n" }
            #expect(healed.body == "ready\n", "\(healed)")
            try await Self.expectConverged(p, server)
            #expect(await p.terminate() == 0)
        }
    }

    /// An exec credential plugin whose first token the server no longer takes
    /// (expired early), and whose later tokens expire after 3 s: the
    /// controller asks the plugin again after the 401 and after each expiry.
    @Test func anExpiredTokenIsReplacedFromTheExecPluginAndTheControllerKeepsUp() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let files = try TempFiles()
            let good = try server.token()
            let calls = files.missing("calls")
            let plugin = try files.write("plugin.sh", Array("""
                #!/bin/sh
                echo call >> '\(calls)'
                if [ "$(wc -l < '\(calls)')" -eq 1 ]; then
                  token=expired-0123456789abcdef; until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
                else
                  token=$FAKE_TOKEN; until=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
                fi
                printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$token" "$until"
                """.utf8))
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: plugin)
            let kubeconfig = try server.kubeconfig(authenticating: """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: \(plugin)
                      interactiveMode: Never
                      env:
                      - {name: FAKE_TOKEN, value: "\(good)"}
                """, in: files)
            func pluginCalls() -> Int {
                ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").split(separator: "\n").count
            }

            let affected = try await Self.affected(deleting: "pod/live/api-6d4f9")
            let p = try Self.start(server, kubeconfig: kubeconfig)
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            try await p.wait(for: "every host planned once") { Self.runs($0).values.allSatisfy { $0 == 1 } }
            #expect(pluginCalls() >= 2, "asked again after the 401")
            #expect(await Self.metric(port, #"netpol_extend_api_errors_total{code="401"}"#) >= 1)

            // Past the token's expiry, the watches are cut: they come back with a fresh token.
            try await Task.sleep(for: .seconds(4))
            let called = pluginCalls()
            let before = Self.runs(p.log)
            try await offPool { _ = try server.adminCall("POST", "/drop-watches") }
            try await offPool { _ = try server.delete("/api/v1/namespaces/live/pods/api-6d4f9") }
            try await Self.expectOnce(p, affected, since: before, "after the token expired")
            #expect(pluginCalls() > called, "the expired token was not used again: the plugin ran")
            #expect(!p.log.contains(good) && !p.log.contains("expired-0123456789abcdef"), "no token in the log")
            try await Self.expectConverged(p, server)
            #expect(await p.terminate() == 0)
        }
    }
}
