import ExtendCore
import Foundation
import KubeSupport
import Testing
@testable import ExtendKube

/// Against the stand-in API server (Tests/KubeSupport/k8s-fake), started
/// and stopped by each test: real TLS, real auth, real paging and faults.
@Suite(.serialized) struct LiveAPITests {
    /// `count` pods in namespace `app`, as a List the fake preloads.
    static func pods(_ count: Int) throws -> Data {
        let items: [[String: Any]] = (1...count).map { i in
            ["apiVersion": "v1", "kind": "Pod",
             "metadata": ["name": String(format: "pod-%02d", i), "namespace": "app", "labels": ["app": "web"]],
             "spec": ["containers": [["name": "c", "image": "nginx"]]],
             "status": ["phase": "Running", "podIP": "10.1.0.\(i)"]]
        }
        return try JSONSerialization.data(withJSONObject: ["apiVersion": "v1", "kind": "List", "items": items])
    }

    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var waits: [Duration] = []
        func record(_ d: Duration) { lock.withLock { waits.append(d) } }
    }

    static func client(_ config: ClientConfig, sleeps: Sleeps = Sleeps(), transport: (any HTTPTransport)? = nil) -> APIClient {
        let retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), jitter: { 0 }, sleep: { sleeps.record($0) })
        return APIClient(config: config, retry: retry, timeouts: Timeouts(connect: .seconds(5), request: .seconds(20)),
                         logger: .init(label: "test"), transport: transport ?? CurlTransport())
    }

    static func podListRequests(_ server: FakeAPIServer) throws -> [[String: Any]] {
        // By path: a request failed before routing (401, injected faults) has no verb or resource in the log.
        try server.requests().filter { $0["path"] as? String == "/api/v1/pods" && $0["method"] as? String == "GET" }
    }

    @Test func tokenAuthReadsTheClusterLikeManifests() async throws {
        try await FakeAPIServer.with(loading: try Self.pods(5)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            #expect(config.credentials.token != nil)
            let read = try await ClusterReader(client: Self.client(config)).read()
            #expect(!read.load.hasErrors, "\(read.load.diagnostics)")
            #expect(read.load.cluster.pods.map(\.name).sorted() == (1...5).map { String(format: "pod-%02d", $0) })
            #expect(read.load.cluster.namespaces.map(\.name).contains("app"))
            #expect(read.lists.map(\.resource) == [.namespaces, .pods, .networkPolicies])
            #expect(read.lists.allSatisfy { !$0.resourceVersion.isEmpty })
            let users = Set(try server.requests().compactMap { $0["user"] as? String })
            #expect(users == ["fake-admin"])
        }
    }

    /// A problem in an object read from the API names the page it came in, as a file's would name the file.
    @Test func diagnosticsNameTheAPIPage() async throws {
        var pods = try JSONSerialization.jsonObject(with: try Self.pods(3)) as? [String: Any] ?? [:]
        var items = pods["items"] as? [[String: Any]] ?? []
        items[2]["status"] = ["phase": "Sleeping", "podIP": "10.1.0.3"]
        pods["items"] = items
        try await FakeAPIServer.with(loading: try JSONSerialization.data(withJSONObject: pods)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let read = try await ClusterReader(client: Self.client(config), pageSize: 2).read()
            let errors = read.load.diagnostics.filter { $0.severity == .error }
            #expect(errors.count == 1)
            #expect(errors.first?.location?.hasPrefix("\(server.server)/api/v1/pods?limit=2 (page 2):") ?? false, "\(errors)")
            #expect(errors.first?.message.contains("phase \"Sleeping\" is not a pod phase") ?? false, "\(errors)")
        }
    }

    @Test func clientCertificateAuth() async throws {
        try await FakeAPIServer.with(["--client-cert-auth"], loading: try Self.pods(2)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            #expect(config.credentials.token == nil)
            #expect(config.credentials.clientCertificate != nil)
            let list = try await Self.client(config).list(.pods)
            #expect(list.itemCount == 2)
        }
    }

    /// The same credentials as files, named relative to the kubeconfig's folder.
    @Test func certificateFilesRelativeToTheKubeconfig() async throws {
        try await FakeAPIServer.with(["--client-cert-auth"]) { server in
            let base = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let dir = try TempDirectory()
            try dir.write("kc/pki/ca.crt", String(decoding: try #require(base.certificateAuthority), as: UTF8.self))
            try dir.write("kc/pki/me.crt", try #require(base.credentials.clientCertificate).text)
            try dir.write("kc/pki/me.key", try #require(base.credentials.clientKey).text)
            let path = try dir.write("kc/config", KC.config(
                clusters: [("fake", "server: \(server.server)\ncertificate-authority: pki/ca.crt")],
                users: [("me", "client-certificate: pki/me.crt\nclient-key: pki/me.key")],
                contexts: [("x", "fake", "me")], current: "x"))
            let list = try await Self.client(try KubeconfigLoader.load(file: path, context: nil)).list(.namespaces)
            #expect(list.itemCount == 4)  // default, kube-system, kube-public, kube-node-lease
        }
    }

    @Test func wrongTokenIsAClear401WithoutTheToken() async throws {
        try await FakeAPIServer.with { server in
            var config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let real = try server.token()
            config.credentials.token = Secret("wrong-token-4f8a2c")
            let e = try await #require(throws: KubeError.self) { try await Self.client(config).list(.pods) }
            #expect(e.kind == .unauthorized)
            #expect(e.message.contains("the API server \(server.server) rejected the credentials of user \"fake-admin\" (Unauthorized) to list pods cluster-wide"), "\(e)")
            #expect(e.message.contains(server.kubeconfig))
            #expect(!e.message.contains("wrong-token-4f8a2c"))
            #expect(!e.message.contains(real))
        }
    }

    @Test func forbiddenListNamesVerbAndResource() async throws {
        try await FakeAPIServer.with(["--forbid", "pods:list"]) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let e = try await #require(throws: KubeError.self) { try await ClusterReader(client: Self.client(config)).read() }
            #expect(e.kind == .forbidden)
            #expect(e.message.contains("User \"fake-admin\" cannot list resource \"pods\" in API group \"\" at the cluster scope"), "\(e)")
            #expect(e.message.contains("an RBAC rule allowing \"list\" on \"pods\" (API group \"\") cluster-wide"), "\(e)")
        }
    }

    @Test func pagedListGivesEveryItemOnce() async throws {
        try await FakeAPIServer.with(loading: try Self.pods(7)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let list = try await Self.client(config).list(.pods, limit: 3)
            #expect(list.pages.count == 3)
            #expect(list.itemCount == 7)
            #expect(list.pages[1].name == "\(server.server)/api/v1/pods?limit=3 (page 2)")
            let load = ExtendInputBridge.decode(list)
            #expect(load.cluster.pods.map(\.name) == (1...7).map { String(format: "pod-%02d", $0) })
            let requests = try Self.podListRequests(server)
            #expect(requests.count == 3)
            let continued = requests.filter { ($0["params"] as? [String: Any])?["continue"] != nil }
            #expect(continued.count == 2)
            #expect(requests.allSatisfy { ($0["params"] as? [String: Any])?["limit"] as? String == "3" })
        }
    }

    /// Writes an object and compacts the server's history right after the
    /// first page, so the first page's continue token is too old.
    final class CompactAfterFirstPage: HTTPTransport, @unchecked Sendable {
        let inner = CurlTransport()
        let server: FakeAPIServer
        var compacted = false
        init(_ server: FakeAPIServer) { self.server = server }
        func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse {
            let r = try inner.perform(request)
            if !compacted && request.url.contains("/pods?limit=") && !request.url.contains("continue=") {
                compacted = true
                do {
                    try server.create("/api/v1/namespaces/app/pods", Data(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-99","namespace":"app"},"spec":{"containers":[{"name":"c","image":"i"}]}}"#.utf8))
                    try server.adminCall("POST", "/compact")
                } catch { return HTTPResponse(status: 599) }
            }
            return r
        }
    }

    @Test func compactedContinueTokenRestartsTheList() async throws {
        try await FakeAPIServer.with(loading: try Self.pods(7)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let list = try await Self.client(config, transport: CompactAfterFirstPage(server)).list(.pods, limit: 3)
            #expect(list.restarts == 1)
            // The fresh list sees the pod created before the compaction, once, and every other pod once.
            #expect(list.itemCount == 8)
            #expect(list.pages.count == 3)
            let load = ExtendInputBridge.decode(list)
            #expect(load.cluster.pods.map(\.name) == (1...7).map { String(format: "pod-%02d", $0) } + ["pod-99"])
            let statuses = try Self.podListRequests(server).compactMap { $0["status"] as? Int }
            #expect(statuses == [200, 410, 200, 200, 200])
            let failed = try Self.podListRequests(server)[1]
            #expect((failed["params"] as? [String: Any])?["continue"] != nil)
        }
    }

    @Test func injected429And500AreRetried() async throws {
        try await FakeAPIServer.with(loading: try Self.pods(3)) { server in
            let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            try server.adminCall("POST", "/fail", body: ["count": 2, "code": 429, "retryAfter": 1, "match": "pods"])
            let sleeps = Sleeps()
            let list = try await Self.client(config, sleeps: sleeps).list(.pods)
            #expect(list.itemCount == 3)
            #expect(sleeps.waits == [.seconds(1), .seconds(1)])

            try server.adminCall("POST", "/fail", body: ["count": 2, "code": 500, "match": "pods"])
            let sleeps500 = Sleeps()
            #expect(try await Self.client(config, sleeps: sleeps500).list(.pods).itemCount == 3)
            #expect(sleeps500.waits == [.milliseconds(10), .milliseconds(20)])
            let statuses = try Self.podListRequests(server).compactMap { $0["status"] as? Int }
            #expect(statuses == [429, 429, 200, 500, 500, 200])
        }
    }

    /// A pod's service account: the token file, re-read after a 401 (rotation), and the mounted CA.
    @Test func inClusterConfigWithRotatedToken() async throws {
        try await FakeAPIServer.with(loading: try Self.pods(1)) { server in
            let base = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let dir = try TempDirectory()
            try dir.write("sa/token", "stale-token")
            try dir.write("sa/ca.crt", String(decoding: try #require(base.certificateAuthority), as: UTF8.self))
            let port = try #require(server.server.split(separator: ":").last.map(String.init))
            let config = try InClusterConfig.load(
                environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port],
                directory: dir.path + "/sa")
            let client = Self.client(config)
            _ = try client.credentials.material()  // the stale token is now the cached one
            try dir.write("sa/token", try server.token())
            #expect(try await client.list(.pods).itemCount == 1)
            let statuses = try Self.podListRequests(server).compactMap { $0["status"] as? Int }
            #expect(statuses == [401, 200])
        }
    }

    @Test func execPluginTokenAgainstTheServer() async throws {
        try await FakeAPIServer.with { server in
            let base = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            let dir = try TempDirectory()
            try dir.write("plugin.sh", """
                #!/bin/sh
                printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$FAKE_TOKEN"
                """, executable: true)
            let caData = try #require(base.certificateAuthority).base64EncodedString()
            let path = try dir.write("config", KC.config(
                clusters: [("fake", "server: \(server.server)\ncertificate-authority-data: \(caData)")],
                users: [("sso", "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: ./plugin.sh\n  env:\n  - {name: FAKE_TOKEN, value: \(try server.token())}")],
                contexts: [("x", "fake", "sso")], current: "x"))
            #expect(try await Self.client(try KubeconfigLoader.load(file: path, context: nil)).list(.namespaces).itemCount == 4)
        }
    }

    /// tls-server-name: the certificate is checked for that name (the fake's holds 127.0.0.1 and localhost).
    @Test func tlsServerNameIsTheNameVerified() async throws {
        try await FakeAPIServer.with { server in
            let text = try String(contentsOfFile: server.kubeconfig, encoding: .utf8)
            let dir = try TempDirectory()
            func config(_ name: String) throws -> ClientConfig {
                let path = try dir.write("kc-\(name)", text.replacingOccurrences(
                    of: "    server: \(server.server)", with: "    server: \(server.server)\n    tls-server-name: \(name)"))
                let c = try KubeconfigLoader.load(file: path, context: nil)
                #expect(c.tlsServerName == name)
                return c
            }
            #expect(try await Self.client(try config("localhost")).list(.namespaces).itemCount == 4)
            let e = try await #require(throws: KubeError.self) { try await Self.client(try config("wrong.example")).list(.namespaces) }
            #expect(e.kind == .tls, "\(e)")
            #expect(e.message.contains("TLS with the API server \(server.server) failed"), "\(e)")
        }
    }

    @Test func unknownCAIsATLSErrorNamingTheServer() async throws {
        try await FakeAPIServer.with { server in
            var config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
            config.certificateAuthority = nil  // the system's CAs know nothing of the fake's
            let e = try await #require(throws: KubeError.self) { try await Self.client(config).list(.pods) }
            #expect(e.kind == .tls, "\(e)")
            #expect(e.message.hasPrefix("TLS with the API server \(server.server) failed (list pods cluster-wide): "), "\(e)")
        }
    }

    @Test func connectionRefusedNamesTheServer() async throws {
        let config = ClientConfig(server: "https://127.0.0.1:1", certificateAuthority: nil, insecureSkipTLSVerify: false,
                                  credentials: Credentials(token: Secret("t")), namespace: "default",
                                  origin: ConfigOrigin(source: .kubeconfig(["/kc"]), context: "a", cluster: "c", user: "u"))
        let e = try await #require(throws: KubeError.self) { try await Self.client(config).list(.pods) }
        #expect(e.kind == .transport)
        #expect(e.message.hasPrefix("cannot reach the API server https://127.0.0.1:1 (list pods cluster-wide): "), "\(e)")
        #expect(e.message.contains("curl error 7"), "\(e)")
    }
}

import ExtendInput

/// Decodes one list's pages the way ClusterReader does.
enum ExtendInputBridge {
    static func decode(_ list: ListResult) -> ManifestLoad {
        ManifestLoader.parse(sources: list.pages.map { (text: $0.text, name: $0.name) })
    }
}
