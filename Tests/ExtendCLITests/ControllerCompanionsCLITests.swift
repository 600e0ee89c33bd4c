import Foundation
import KubeSupport
import Testing

/// `extend controller --companions --dry-run` against the stand-in API
/// server: it says which companions it would create and delete, reports a
/// name taken by a policy not ours (log, Event, metric), and writes no
/// NetworkPolicy.
@Suite(.serialized) struct ControllerCompanionsCLITests {
    @Test func aDryRunSaysWhatItWouldDoReportsATakenNameAndWritesNoPolicy() async throws {
        var load = try JSONSerialization.jsonObject(with: try ExampleCluster.jsonList()) as? [String: Any] ?? [:]
        func policy(_ name: String, labels: [String: String]) -> [String: Any] {
            ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": ["name": name, "namespace": "live", "labels": labels],
             "spec": ["podSelector": [:] as [String: Any], "policyTypes": ["Ingress"]]]
        }
        load["items"] = (load["items"] as? [Any] ?? []) + [
            policy("billing-db-npx-hosts", labels: ["team": "dba"]),
            policy("retired-npx-hosts", labels: ["app.kubernetes.io/managed-by": "netpol-extend", "netpol-extend.io/companion": "true"]),
        ]
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try JSONSerialization.data(withJSONObject: load)) { server in
            let p = try ControllerProcess(["controller", "--dry-run", "--companions", "--namespace", "live",
                                           "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            let port = try #require(Int(try await p.waitForMatch(#"listening on 127\.0\.0\.1:([0-9]+)"#)))
            try await p.wait(for: "the companions' plan", timeout: .seconds(60)) { log in
                log.contains("companion live/namespace-isolation-live-npx-hosts: would create (companion of namespace-isolation-live; admits 198.18.1.10/32, 198.18.1.11/32, 2001:db8:1::10/128)")
                    && log.contains("companion live/retired-npx-hosts: would delete (stale")
                    && log.contains("NetworkPolicy live/billing-db-npx-hosts exists without the label netpol-extend.io/companion=true")
            }
            #expect(!p.log.contains("companion live/billing-db-npx-hosts: would"), "a name not ours is never planned for:\n\(p.log)")
            let metrics = await ControllerProcess.get(port: port, "/metrics").body
            #expect(ControllerProcess.metric(metrics, #"netpol_extend_companions_total{outcome="planned"}"#) == 2, "\(metrics)")
            #expect(ControllerProcess.metric(metrics, #"netpol_extend_companions_total{outcome="conflict"}"#) == 1, "\(metrics)")
            #expect(ControllerProcess.metric(metrics, "netpol_extend_companion_conflicts") == 1, "\(metrics)")
            #expect(await p.terminate() == 0, "\(p.log)")

            let taken = try await offPool {
                let events = try server.send("GET", "/api/v1/namespaces/live/events")
                return (events["items"] as? [[String: Any]] ?? []).filter { $0["reason"] as? String == "CompanionNameTaken" }
                    .map { "\($0["type"] as? String ?? "") \($0["message"] as? String ?? "")" }
            }
            #expect(taken.count == 1 && taken.first?.hasPrefix("Warning policy live/billing-db: NetworkPolicy live/billing-db-npx-hosts exists") == true, "\(taken)")
            let writes = try await offPool {
                try server.requests().filter {
                    $0["resource"] as? String == "networkpolicies" && !["get", "list", "watch"].contains($0["verb"] as? String ?? "")
                }.map { "\($0["verb"] as? String ?? "") \($0["path"] as? String ?? "")" }
            }
            #expect(writes.isEmpty, "a dry run writes no NetworkPolicy: \(writes)")
        }
    }
}
