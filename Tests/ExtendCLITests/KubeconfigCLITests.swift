import Foundation
import KubeSupport
import Testing

/// `--kubeconfig` on the stand-in API server loaded with the bundled
/// example: the same output, byte for byte, as `--manifests` on the same
/// objects; and the errors a user can act on.
@Suite(.serialized) struct KubeconfigCLITests {
    /// The example's objects and nothing else (no default namespaces), as the manifests hold them.
    static func withExample(_ body: (FakeAPIServer) throws -> Void) async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            try body(server)
        }
    }

    static let inventory = ["--inventory", CLI.exampleInventory]

    @Test(arguments: [[], ["--host", "billing-db-01"]])
    func renderTextIsByteIdentical(extra: [String]) async throws {
        try await Self.withExample { server in
            let api = try CLI.run(["render"] + Self.inventory + ["--kubeconfig", server.kubeconfig] + extra)
            let files = try CLI.run(["render"] + CLI.example + extra)
            #expect(api.exited(0), "\(api)")
            #expect(!api.stdout.isEmpty)
            #expect(api.stdout == files.stdout, "\(api)\n\(files)")
        }
    }

    @Test func renderJSONMatchesManifestsButForWarningLocations() async throws {
        let extra = ["--output", "json"]
        try await Self.withExample { server in
            let api = try CLI.run(["render"] + Self.inventory + ["--kubeconfig", server.kubeconfig] + extra)
            let files = try CLI.run(["render"] + CLI.example + extra)
            #expect(api.exited(0), "\(api)")
            #expect(files.exited(0), "\(files)")
            #expect(!api.stdout.isEmpty)
            #expect(Self.sourcesNeutral(api.stdout) == Self.sourcesNeutral(files.stdout), "\(api)\n\(files)")
        }
    }

    /// The output with each warning's location (`FILE:LINE: ` or
    /// `https://…/networkpolicies?limit=500 (page 1):1: `) replaced by
    /// `SOURCE: `: a warning names where its object was read, which is the
    /// one thing that differs between the two sources. Only JSON output
    /// carries warnings on stdout; text output is compared unchanged.
    static func sourcesNeutral(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
        let pattern = #""(https://127\.0\.0\.1:[0-9]+/[^"]*? \(page [0-9]+\)|[^"]*/inventory/example/cluster/[^"]*?\.yaml):[0-9]+(:[0-9]+)?: "#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\"SOURCE: ")
    }

    @Test func explainMatchesManifests() async throws {
        try await Self.withExample { server in
            for c in ExplainCLITests.connections {
                for format in ["text", "json"] {
                    let args = ["explain", "--output", format] + c.arguments
                    let api = try CLI.run(args + Self.inventory + ["--kubeconfig", server.kubeconfig])
                    let files = try CLI.run(args + CLI.example)
                    #expect(api.exited(0), "\(api)")
                    if format == "text" {
                        #expect(api.stdout == files.stdout, "\(api)\n\(files)")
                    } else {
                        #expect(Self.sourcesNeutral(api.stdout) == Self.sourcesNeutral(files.stdout), "\(api)\n\(files)")
                        #expect(Self.sourcesNeutral(api.stdout).contains("\"SOURCE: warning: policy live/elb-isolation-live"))
                    }
                }
            }
        }
    }

    @Test func verboseNamesTheSourceAndCountsWithoutSecrets() async throws {
        try await Self.withExample { server in
            let r = try CLI.run(["render", "--verbose"] + Self.inventory + ["--kubeconfig", server.kubeconfig])
            #expect(r.exited(0), "\(r)")
            #expect(r.stderrText.contains("cluster: \(server.server), context \"fake-apiserver\" (cluster \"fake-apiserver\", user \"fake-admin\") of \(server.kubeconfig): read 2 namespaces, 4 pods, 3 networkpolicies.networking.k8s.io in 3 pages"), "\(r)")
            #expect(!r.stderrText.contains(try server.token()))
        }
    }

    @Test func kubeconfigVariableIsUsedWithoutFlags() async throws {
        try await Self.withExample { server in
            var env = ProcessInfo.processInfo.environment
            env["KUBECONFIG"] = "/nonexistent/first:" + server.kubeconfig
            env["KUBERNETES_SERVICE_HOST"] = nil
            let api = try CLI.run(["render"] + Self.inventory, environment: env)
            let files = try CLI.run(["render"] + CLI.example)
            #expect(api.exited(0), "\(api)")
            #expect(api.stdout == files.stdout)
        }
    }

    @Test func rejectedTokenIsAClearErrorWithoutTheToken() async throws {
        try await Self.withExample { server in
            let real = try server.token()
            let files = try TempFiles()
            let text = try String(contentsOfFile: server.kubeconfig, encoding: .utf8)
            let path = files.root + "/kubeconfig"
            try text.replacingOccurrences(of: real, with: "wrong-cli-token-6b1d").write(toFile: path, atomically: true, encoding: .utf8)
            let r = try CLI.run(["render"] + Self.inventory + ["--kubeconfig", path])
            #expect(r.exited(1), "\(r)")
            #expect(r.stderrText.contains("rejected the credentials of user \"fake-admin\" (Unauthorized) to list namespaces cluster-wide"), "\(r)")
            #expect(!r.stderrText.contains("wrong-cli-token-6b1d"))
            #expect(!r.stderrText.contains(real))
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func unknownContextListsTheContexts() async throws {
        try await Self.withExample { server in
            let r = try CLI.run(["explain", "--from", "live/api-6d4f9", "--to", "live/billing-db-01", "--port", "5432"]
                                + Self.inventory + ["--kubeconfig", server.kubeconfig, "--context", "prod"])
            #expect(r.exited(1), "\(r)")
            #expect(r.stderrText.contains("context \"prod\" not found in \(server.kubeconfig); contexts: fake-apiserver"), "\(r)")
        }
    }

    @Test func noClusterSourceSaysWhatWasTried() throws {
        let files = try TempFiles()
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = nil
        env["KUBERNETES_SERVICE_HOST"] = nil
        env["HOME"] = files.root
        let r = try CLI.run(["render"] + Self.inventory, environment: env)
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("$KUBECONFIG is unset and \(files.root)/.kube/config does not exist; pass --kubeconfig PATH"), "\(r)")
    }
}
