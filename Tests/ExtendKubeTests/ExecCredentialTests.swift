import Foundation
import Testing
@testable import ExtendKube

/// exec credential plugins: run with args, env and KUBERNETES_EXEC_INFO; answers cached until they expire.
@Suite struct ExecCredentialTests {
    static let v1 = "client.authentication.k8s.io/v1"

    /// A plugin script that counts its runs, records its input, and prints a token expiring at $EXP (if set).
    static let script = """
        #!/bin/sh
        echo run >> "$STATE/runs"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$STATE/info"
        printf '%s ' "$@" > "$STATE/args"
        if [ -n "$EXP" ]; then exp=",\\"expirationTimestamp\\":\\"$EXP\\""; else exp=""; fi
        printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"exec-token-s3cr3t"%s}}\\n' "$API" "$exp"
        """

    func kubeconfig(_ dir: TempDirectory, api: String = v1, expiry: String = "") throws -> String {
        try dir.write("conf/bin/plugin.sh", Self.script, executable: true)
        return try dir.write("conf/kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")],
            users: [("u", """
                exec:
                  apiVersion: \(api)
                  command: bin/plugin.sh
                  args: [get-token, --cluster, prod]
                  env:
                  - {name: STATE, value: \(dir.path)}
                  - {name: API, value: \(api)}
                  - {name: EXP, value: "\(expiry)"}
                """)],
            contexts: [("a", "c", "u")], current: "a"))
    }

    static func rfc3339(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    @Test(arguments: [v1, "client.authentication.k8s.io/v1beta1"])
    func pluginRunsWithArgsEnvAndExecInfo(api: String) throws {
        let dir = try TempDirectory()
        let config = try KubeconfigLoader.load(file: try kubeconfig(dir, api: api), context: nil)
        let plugin = try #require(config.credentials.exec)
        #expect(plugin.command == dir.path + "/conf/bin/plugin.sh")
        let store = CredentialStore(config.credentials)
        #expect(try store.material().bearer == Secret("exec-token-s3cr3t"))
        #expect(dir.read("args") == "get-token --cluster prod ")
        let info = try JSONSerialization.jsonObject(with: Data(dir.read("info").utf8)) as? [String: Any]
        #expect(info?["apiVersion"] as? String == api)
        #expect(info?["kind"] as? String == "ExecCredential")
        #expect((info?["spec"] as? [String: Any])?["interactive"] as? Bool == false)
    }

    @Test func answerIsCachedUntilItsExpirationTimestamp() throws {
        let dir = try TempDirectory()
        let clock = TestClock()
        let path = try kubeconfig(dir, expiry: Self.rfc3339(clock.now.addingTimeInterval(300)))
        let store = CredentialStore(try KubeconfigLoader.load(file: path, context: nil).credentials, now: { clock.now })
        _ = try store.material()
        clock.advance(299)
        _ = try store.material()
        #expect(dir.read("runs") == "run\n")
        clock.advance(2)
        _ = try store.material()
        #expect(dir.read("runs") == "run\nrun\n")
    }

    @Test func withoutExpiryCachedUntilInvalidated() throws {
        let dir = try TempDirectory()
        let store = CredentialStore(try KubeconfigLoader.load(file: try kubeconfig(dir), context: nil).credentials)
        _ = try store.material()
        _ = try store.material()
        #expect(store.execRuns == 1)
        store.invalidate()
        _ = try store.material()
        #expect(store.execRuns == 2)
    }

    @Test func failingPluginGivesItsStderrNeverItsStdout() throws {
        let dir = try TempDirectory()
        let cmd = try dir.write("fail.sh", """
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"leaked-token-xyz"}}'
            echo "boom: no SSO session; run aws sso login" >&2
            exit 3
            """, executable: true)
        let plugin = ExecPlugin(apiVersion: Self.v1, command: cmd, entry: "user \"u\" in /k/config")
        let e = try #require(throws: KubeError.self) { try CredentialStore(Credentials(exec: plugin)).material() }
        #expect(e.kind == .credentials)
        #expect(e.message.contains("exec credential plugin \"\(cmd)\" of user \"u\" in /k/config failed with exit status 3"), "\(e)")
        #expect(e.message.contains("boom: no SSO session; run aws sso login"))
        #expect(!e.message.contains("leaked-token-xyz"))
    }

    @Test func hangingPluginIsKilledAfterTheTimeout() throws {
        let dir = try TempDirectory()
        let cmd = try dir.write("hang.sh", "#!/bin/sh\nexec sleep 30\n", executable: true)
        let plugin = ExecPlugin(apiVersion: Self.v1, command: cmd, entry: "user \"u\" in /k/config")
        let start = ContinuousClock.now
        let e = try #require(throws: KubeError.self) { try plugin.run(timeout: .seconds(1)) }
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(e.message.contains("failed with no answer within 1.0 seconds"), "\(e)")
    }

    @Test func missingCommandGivesTheInstallHint() throws {
        var plugin = ExecPlugin(apiVersion: Self.v1, command: "no-such-plugin-9f2", entry: "user \"u\" in /k/config")
        plugin.installHint = "install it with: brew install no-such-plugin"
        let e = try #require(throws: KubeError.self) { try plugin.run() }
        #expect(e.message.contains("no-such-plugin-9f2 is not found in PATH; install it with: brew install no-such-plugin"))
    }

    @Test(arguments: [
        ("{\"token\": \"raw-token-abc\"}", "printed kind \"\"; expected ExecCredential"),
        ("token=raw-token-abc", "printed no valid ExecCredential JSON"),
        ("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"raw-token-abc\"}}", "answered in apiVersion"),
        ("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"raw-token-abc\",\"expirationTimestamp\":\"tomorrow\"}}", "not RFC 3339"),
    ])
    func malformedAnswersSayWhatIsWrongWithoutQuotingThem(output: String, expected: String) throws {
        let plugin = ExecPlugin(apiVersion: Self.v1, command: "p", entry: "user \"u\" in /k")
        let e = try #require(throws: KubeError.self) { try ExecCredential.parse(Data(output.utf8), plugin: plugin) }
        #expect(e.message.contains(expected), "\(e)")
        #expect(!e.message.contains("raw-token-abc"))
    }

    @Test func clientCertificateAnswer() throws {
        let plugin = ExecPlugin(apiVersion: Self.v1, command: "p", entry: "user \"u\" in /k")
        let c = try ExecCredential.parse(Data("""
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
             "status":{"clientCertificateData":"CERT PEM","clientKeyData":"KEY PEM","expirationTimestamp":"2030-01-02T03:04:05.123Z"}}
            """.utf8), plugin: plugin)
        #expect(c.clientCertificate == Secret("CERT PEM"))
        #expect(c.clientKey == Secret("KEY PEM"))
        #expect(c.token == nil)
        #expect(abs((c.expiration?.timeIntervalSince1970 ?? 0) - 1_893_553_445.123) < 0.01)
    }
}
