import Foundation
import KubeSupport
import Testing

/// `extend controller --dry-run` against the stand-in API server logs the
/// connections each change opens and closes, with their causes, as `extend
/// diff --connections` prints them (`--log-connection-changes`, on in a dry
/// run), and `--no-log-connection-changes` switches it off.
@Suite(.serialized) struct ControllerConnectionsCLITests {
    /// The messages of the connection log, from the controller's JSON log lines.
    static func connectionLines(_ log: String) -> [String] {
        log.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["logger"] as? String == "netpol-extend.connections" else { return nil }
            return o["message"] as? String
        }
    }

    /// Admits staging's web pods to live's api on 8080: the example isolates live/api-6d4f9 to its own namespace.
    static var allowStagingWeb: [String: Any] { [
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": ["name": "allow-staging-web", "namespace": "live"],
        "spec": ["podSelector": ["matchLabels": ["app": "api"]], "policyTypes": ["Ingress"],
                 "ingress": [["from": [["namespaceSelector": ["matchLabels": ["name": "staging"]],
                                        "podSelector": ["matchLabels": ["app": "web"]]]],
                              "ports": [["port": 8080, "protocol": "TCP"]]]]],
    ] }

    static func relabel(_ server: FakeAPIServer, app: String) async throws {
        try await server.offPool { _ = try $0.mergePatch("/api/v1/namespaces/staging/pods/web-5c8d7", ["metadata": ["labels": ["app": app]]]) }
    }

    @Test func aDryRunLogsWhatAPolicyAndAPodRelabelOpenAndCloseWithTheirCauses() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let p = try ControllerProcess(["controller", "--dry-run", "--log-format", "json", "--kubeconfig", server.kubeconfig,
                                           "--inventory", CLI.exampleInventory, "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            try await p.wait(for: "the connections judged at the sync", timeout: .seconds(60)) { log in
                Self.connectionLines(log).contains { $0.hasPrefix("connections: ") && $0.contains("from now on each change logs") }
            }
            let opened = "connections: opened  staging/web-5c8d7 -> live/api-6d4f9  TCP 8080  (new policy live/allow-staging-web)"
            try await server.offPool { _ = try $0.create("/apis/networking.k8s.io/v1/namespaces/live/networkpolicies", object: Self.allowStagingWeb) }
            try await p.wait(for: opened, timeout: .seconds(60)) { Self.connectionLines($0).contains(opened) }

            let closed = "connections: closed  staging/web-5c8d7 -> live/api-6d4f9  TCP 8080  (labels of pod staging/web-5c8d7 changed)"
            try await Self.relabel(server, app: "batch")
            try await p.wait(for: closed, timeout: .seconds(60)) { Self.connectionLines($0).contains(closed) }

            let reopened = "connections: opened  staging/web-5c8d7 -> live/api-6d4f9  TCP 8080  (labels of pod staging/web-5c8d7 changed)"
            try await Self.relabel(server, app: "web")
            try await p.wait(for: reopened, timeout: .seconds(60)) { Self.connectionLines($0).contains(reopened) }

            // Each change opened or closed that one connection and nothing else, in order.
            let changes = Self.connectionLines(p.log).filter { $0.hasPrefix("connections: opened") || $0.hasPrefix("connections: closed") }
            #expect(changes == [opened, closed, reopened], "\(p.log)")
            #expect(await p.terminate() == 0, "\(p.log)")
        }
    }

    @Test func noLogConnectionChangesSwitchesItOff() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let p = try ControllerProcess(["controller", "--dry-run", "--no-log-connection-changes", "--log-format", "json",
                                           "--kubeconfig", server.kubeconfig, "--inventory", CLI.exampleInventory,
                                           "--listen", "127.0.0.1:0", "--min-interval", "0.2"])
            defer { p.stop() }
            try await p.wait(for: "a planned run of billing-db-01", timeout: .seconds(60)) {
                ControllerCLITests.plannedRuns($0, host: "billing-db-01") == 1
            }
            // A change that reaches a host (its peer set loses the api pod) and closes connections.
            try await server.offPool { _ = try $0.delete("/api/v1/namespaces/live/pods/api-6d4f9") }
            try await p.wait(for: "the change planned", timeout: .seconds(60)) {
                ControllerCLITests.plannedRuns($0, host: "billing-db-01") == 2
            }
            // Longer than a burst's settling time (1 s) and a judgement of this small world.
            try await Task.sleep(for: .seconds(3))
            #expect(Self.connectionLines(p.log).isEmpty, "\(p.log)")
            #expect(!p.log.contains("connection changes:"), "\(p.log)")
            #expect(await p.terminate() == 0, "\(p.log)")
        }
    }
}
