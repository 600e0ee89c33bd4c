import Foundation
import Testing
@testable import ExtendKube

/// The client's retries: 429 after Retry-After, 5xx with backoff and jitter, both bounded; one credential re-read on 401.
@Suite struct RetryTests {
    /// Answers from a script, and records what was asked.
    final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [HTTPResponse]
        private(set) var bearers: [String] = []
        init(_ answers: [HTTPResponse]) { self.answers = answers }
        func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse {
            lock.withLock {
                bearers.append(request.bearer?.text ?? "")
                return answers.isEmpty ? HTTPResponse(status: 599) : answers.removeFirst()
            }
        }
    }

    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var waits: [Duration] = []
        func record(_ d: Duration) { lock.withLock { waits.append(d) } }
    }

    static let ok = HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Data("{}".utf8))

    func client(_ transport: ScriptedTransport, sleeps: Sleeps, credentials: Credentials = Credentials(token: Secret("t")),
                store: CredentialStore? = nil) -> APIClient {
        let retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(5),
                                jitter: { 0.5 }, sleep: { sleeps.record($0) })
        let config = ClientConfig(server: "https://k:1", certificateAuthority: nil, insecureSkipTLSVerify: false,
                                  credentials: credentials, namespace: "default",
                                  origin: ConfigOrigin(source: .kubeconfig(["/kc"]), context: "a", cluster: "c", user: "u"))
        return APIClient(config: config, retry: retry, timeouts: Timeouts(), logger: .init(label: "test"),
                         transport: transport, credentials: store)
    }

    let request = APIRequest(verb: "list", resource: .pods, path: "/api/v1/pods")

    @Test func tooManyRequestsWaitsRetryAfter() async throws {
        let busy = APIErrorTests.status(429, "TooManyRequests", "slow down")
        let t = ScriptedTransport([
            HTTPResponse(status: 429, headers: ["retry-after": "2"], body: busy.body),
            HTTPResponse(status: 429, headers: ["retry-after": "60"], body: busy.body), Self.ok])
        let sleeps = Sleeps()
        let r = try await client(t, sleeps: sleeps).get(request)
        #expect(r.status == 200)
        #expect(sleeps.waits == [.seconds(2), .seconds(5)])  // the second capped at maxDelay
    }

    @Test func serverErrorsBackOffExponentiallyWithJitter() async throws {
        let t = ScriptedTransport([HTTPResponse(status: 500), HTTPResponse(status: 503), HTTPResponse(status: 504), Self.ok])
        let sleeps = Sleeps()
        _ = try await client(t, sleeps: sleeps).get(request)
        #expect(sleeps.waits == [.milliseconds(150), .milliseconds(300), .milliseconds(600)])
    }

    @Test func retriesAreBounded() async throws {
        let fail = APIErrorTests.status(500, "InternalError", "Internal error occurred: injected fault")
        let t = ScriptedTransport(Array(repeating: fail, count: 10))
        let sleeps = Sleeps()
        let e = try await #require(throws: KubeError.self) { try await client(t, sleeps: sleeps).get(request) }
        #expect(e.kind == .server)
        #expect(e.message.contains("after 4 attempts: Internal error occurred: injected fault"))
        #expect(t.bearers.count == 4)
    }

    @Test func notRetriedForOtherErrors() async throws {
        let t = ScriptedTransport([APIErrorTests.status(404, "NotFound", "nope"), Self.ok])
        let e = try await #require(throws: KubeError.self) { try await client(t, sleeps: Sleeps()).get(request) }
        #expect(e.kind == .notFound)
        #expect(t.bearers.count == 1)
    }

    /// A rotated token file: the 401 makes the client read it again, once.
    @Test func unauthorizedRereadsATokenFileOnce() async throws {
        let dir = try TempDirectory()
        let file = try dir.write("token", "old")
        let store = CredentialStore(Credentials(tokenFile: file))
        _ = try store.material()
        try dir.write("token", "new")
        let unauthorized = APIErrorTests.status(401, "Unauthorized", "Unauthorized")
        let t = ScriptedTransport([unauthorized, Self.ok])
        _ = try await client(t, sleeps: Sleeps(), credentials: store.credentials, store: store).get(request)
        #expect(t.bearers == ["old", "new"])

        let t2 = ScriptedTransport([unauthorized, unauthorized, Self.ok])
        let e = try await #require(throws: KubeError.self) {
            try await client(t2, sleeps: Sleeps(), credentials: store.credentials, store: store).get(request)
        }
        #expect(e.kind == .unauthorized)
        #expect(t2.bearers.count == 2)
    }

    /// A static token cannot change: no point asking again.
    @Test func unauthorizedWithAStaticTokenIsNotRetried() async throws {
        let t = ScriptedTransport([APIErrorTests.status(401, "Unauthorized", "Unauthorized"), Self.ok])
        let e = try await #require(throws: KubeError.self) { try await client(t, sleeps: Sleeps()).get(request) }
        #expect(e.kind == .unauthorized)
        #expect(t.bearers == ["t"])
    }
}
