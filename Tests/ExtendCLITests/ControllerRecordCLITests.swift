import Foundation
import KubeSupport
import Testing

/// The controller's managed hosts record, a ConfigMap in its namespace,
/// against the stand-in API server: a dry run reports the hosts it would
/// clean and writes nothing; a ConfigMap that is not ours, or does not read,
/// stops every host run and says why until it is fixed; without the RBAC to
/// create it no host is contacted, and once allowed the record lists every host.
@Suite(.serialized) struct ControllerRecordCLITests {
    static let configMaps = "/api/v1/namespaces/live/configmaps"
    static let name = "netpol-extend-managed-hosts"
    static let hosts = ["backup-01", "billing-db-01", "reporting-01"]

    /// A record as `extend apply` writes it, listing `hosts` (name, address).
    static func recordText(_ hosts: [(String, String)]) -> String {
        let entries = hosts.map { name, address in
            #"{"name": "\#(name)", "addresses": ["\#(address)"], "ssh": {"address": "\#(address)", "port": 22, "user": "root", "identityFile": "/nonexistent/id", "knownHostsFile": "/nonexistent/known_hosts", "sudo": false, "connectTimeoutSeconds": 2}}"#
        }
        return #"{"apiVersion": "netpol-extend/v1", "kind": "ManagedHosts", "hosts": [\#(entries.joined(separator: ", "))]}"#
    }

    /// Creates the ConfigMap through the API; returns its resourceVersion.
    static func createConfigMap(_ server: FakeAPIServer, labels: [String: String]?, data: [String: String]) async throws -> String {
        try await offPool {
            var meta: [String: Any] = ["name": name, "namespace": "live"]
            if let labels { meta["labels"] = labels }
            return FakeAPIServer.resourceVersion(of: try server.create(configMaps, object: [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data]))
        }
    }

    /// The ConfigMap as the API has it now: its resourceVersion, labels and
    /// the host names of its record (nil when there is none).
    static func configMap(_ server: FakeAPIServer) async throws -> (version: String, labels: [String: String]?, hosts: [String])? {
        try await offPool {
            guard let map = try? server.send("GET", configMaps + "/" + name) else { return nil }
            let text = (map["data"] as? [String: String])?["hosts.json"] ?? ""
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            return (FakeAPIServer.resourceVersion(of: map), (map["metadata"] as? [String: Any])?["labels"] as? [String: String],
                    (json?["hosts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        }
    }

    static let ours = ["app.kubernetes.io/managed-by": "netpol-extend"]

    static func writes(_ server: FakeAPIServer) async throws -> [String] {
        try await offPool {
            try server.requests().filter { ($0["resource"] as? String) == "configmaps" }
                .compactMap { $0["verb"] as? String }.filter { ["create", "update", "patch", "delete"].contains($0) }
        }
    }


    @Test func aDryRunReportsTheHostsTheRecordWouldCleanAndWritesNothing() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let created = try await Self.createConfigMap(server, labels: Self.ours, data: ["hosts.json": Self.recordText([
                ("billing-db-01", "198.18.1.10"), ("old-db-01", "198.18.9.9"),
            ])])
            try await offPool { _ = try server.adminCall("POST", "/reset-log") }
            let p = try ControllerProcess(["controller", "--dry-run", "--namespace", "live", "--no-events",
                                           "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            try await p.wait(for: "old-db-01's planned removal") { $0.contains("host old-db-01: would remove every rule and set of ours") }
            try await p.wait(for: "every listed host planned") { log in
                Self.hosts.allSatisfy { ControllerCLITests.plannedRuns(log, host: $0) == 1 }
            }
            #expect(p.log.contains("ConfigMap live/netpol-extend-managed-hosts: 1 host(s) left the inventory while no controller ran: old-db-01; dry run: their rules would be removed"), "\(p.log)")
            #expect(ControllerCLITests.plannedRuns(p.log, host: "old-db-01") == 1, "removed once, then forgotten")
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.configMap(server)?.version == created, "the record is untouched")
            #expect(try await Self.writes(server).isEmpty, "a dry run writes no ConfigMap")
            #expect(await p.terminate() == 0)
        }
    }

    @Test(arguments: [
        ("not ours", nil, Self.recordText([]), "exists but is not labelled app.kubernetes.io/managed-by=netpol-extend"),
        ("unreadable", Self.ours, #"{"apiVersion": "netpol-extend/v1", "kind": "ManagedHosts", "hosts": [{"name": "db"}]}"#,
         "the managed hosts record in ConfigMap live/netpol-extend-managed-hosts cannot be used: ConfigMap live/netpol-extend-managed-hosts hosts.json:1:"),
    ] as [(String, [String: String]?, String, String)])
    func aConfigMapThatCannotBeUsedStopsEveryRunAndSaysWhyUntilItIsGone(what: String, labels: [String: String]?, text: String,
                                                                        says: String) async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            _ = try await Self.createConfigMap(server, labels: labels, data: ["hosts.json": text])
            let p = try ControllerProcess(["controller", "--dry-run", "--namespace", "live",
                                           "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            let readyz = try await ControllerProcess.readyz(port: port) { $0.contains("managed hosts record") }
            #expect(readyz.status == 503 && readyz.body.contains(says), "\(what): \(readyz)")
            #expect(p.log.contains(says) && p.log.contains("no host run starts until it can be used"), "\(p.log)")
            #expect(!p.log.contains(": would "), "no host is worked on, not even in a dry run:\n\(p.log)")
            let reasons = try await offPool {
                (try server.send("GET", "/api/v1/namespaces/live/events")["items"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            }
            #expect(reasons.contains("ManagedHostsRecordFailed"), "an Event says so: \(reasons)")

            // Its owner removes it: the next attempt finds no record, and the work starts.
            try await offPool { _ = try server.delete(Self.configMaps + "/" + Self.name) }
            try await p.wait(for: "every host planned", timeout: .seconds(45)) { log in
                Self.hosts.allSatisfy { ControllerCLITests.plannedRuns(log, host: $0) == 1 }
            }
            #expect(p.log.contains("can be used again"), "\(p.log)")
            #expect(await p.terminate() == 0)
        }
    }

    @Test func withoutCreateOnConfigMapsNoHostIsContactedAndOnceAllowedTheRecordListsEveryHost() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces", "--forbid", "configmaps:create"],
                                     loading: try ExampleCluster.jsonList()) { server in
            let files = try TempFiles()
            // Runs that do start fail fast: no key, a short connect timeout.
            let inventory = try files.write("inventory.yaml", Array(try String(contentsOfFile: CLI.exampleInventory, encoding: .utf8)
                .replacingOccurrences(of: "connectTimeoutSeconds: 10", with: "connectTimeoutSeconds: 1")
                .replacingOccurrences(of: "~/.ssh/id_ed25519", with: files.missing("no-such-key")).utf8))
            let p = try ControllerProcess(["controller", "--namespace", "live", "--no-events",
                                           "--kubeconfig", server.kubeconfig, "--inventory", inventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            let readyz = try await ControllerProcess.readyz(port: port) { $0.contains("managed hosts record") }
            #expect(readyz.status == 503, "\(readyz)")
            #expect(readyz.body.contains(#"allowing "create" on "configmaps""#) && readyz.body.contains("managed hosts record (a ConfigMap"),
                    "names the missing rule: \(readyz.body)")
            #expect(!Self.hosts.contains { p.log.contains("host \($0):") }, "no host is contacted before it is recorded:\n\(p.log)")
            let metrics = await ControllerProcess.get(port: port, "/metrics").body
            #expect((ControllerProcess.metric(metrics, #"netpol_extend_api_errors_total{code="403"}"#) ?? 0) >= 1, "\(metrics)")

            try await offPool { _ = try server.adminCall("POST", "/forbid", body: ["rules": [String]()]) }
            var recorded = try await Self.configMap(server)
            let deadline = ContinuousClock.now + .seconds(30)
            while recorded?.hosts != Self.hosts && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                recorded = try await Self.configMap(server)
            }
            #expect(recorded?.hosts == Self.hosts, "the record lists every host before its first run")
            #expect(recorded?.labels == Self.ours)
            try await p.wait(for: "the runs, now recorded") { log in Self.hosts.allSatisfy { log.contains("host \($0):") } }
            #expect(await p.terminate() == 0, "\(p.log)")
        }
    }
}
