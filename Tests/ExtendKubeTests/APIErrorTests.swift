import Foundation
import Testing
@testable import ExtendKube

/// Status bodies become messages naming the request and what to do; credentials never show.
@Suite struct APIErrorTests {
    static let origin = ConfigOrigin(source: .kubeconfig(["/home/me/.kube/config"]), context: "prod", cluster: "c", user: "alice")
    static let list = APIRequest(verb: "list", resource: .pods, path: "/api/v1/pods?limit=500")

    static func status(_ code: Int, _ reason: String, _ message: String) -> HTTPResponse {
        let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#
        return HTTPResponse(status: code, headers: ["content-type": "application/json"], body: Data(body.utf8))
    }

    static func message(_ r: HTTPResponse, _ request: APIRequest = list) -> KubeError {
        APIErrorMessage.error(for: r, request: request, server: "https://k:6443", origin: origin)
    }

    @Test func unauthorizedNamesUserAndWhereToFixIt() {
        let e = Self.message(Self.status(401, "Unauthorized", "Unauthorized"))
        #expect(e.kind == .unauthorized)
        #expect(e.message == "the API server https://k:6443 rejected the credentials of user \"alice\" (Unauthorized) to list pods cluster-wide: check the token or client certificate of user \"alice\" in /home/me/.kube/config (context \"prod\"); it may have expired or belong to another cluster")
    }

    @Test func forbiddenQuotesTheServerAndNamesTheMissingRule() {
        let said = "pods is forbidden: User \\\"alice\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" at the cluster scope"
        let e = Self.message(Self.status(403, "Forbidden", said))
        #expect(e.kind == .forbidden)
        #expect(e.message.contains("forbids user \"alice\" to list pods cluster-wide: pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" at the cluster scope."))
        #expect(e.message.contains("an RBAC rule allowing \"list\" on \"pods\" (API group \"\") cluster-wide (a ClusterRole bound with a ClusterRoleBinding)"))
        let np = APIRequest(verb: "watch", resource: .networkPolicies, namespace: "live", path: "/x")
        #expect(Self.message(Self.status(403, "Forbidden", "no"), np).message.contains("allowing \"watch\" on \"networkpolicies\" (API group \"networking.k8s.io\") in namespace live"))
    }

    @Test(arguments: [
        (404, "NotFound", KubeError.Kind.notFound, "has no /api/v1/pods?limit=500 (list pods cluster-wide)"),
        (410, "Expired", .expired, "answered 410 Expired to list pods cluster-wide: too old"),
        (429, "TooManyRequests", .tooManyRequests, "is overloaded and kept answering 429 TooManyRequests to list pods cluster-wide"),
        (500, "InternalError", .server, "failed with 500 InternalError to list pods cluster-wide: too old"),
        (422, "Invalid", .response, "answered 422 Invalid to list pods cluster-wide"),
    ])
    func otherCodes(code: Int, reason: String, kind: KubeError.Kind, expected: String) {
        let e = Self.message(Self.status(code, reason, "too old"))
        #expect(e.kind == kind)
        #expect(e.status == code)
        #expect(e.reason == reason)
        #expect(e.message.contains(expected), "\(e)")
    }

    @Test func conflictIsItsOwnKind() {
        let update = APIRequest(verb: "update", resource: .leases, namespace: "ops", name: "netpol-extend",
                                path: "/apis/coordination.k8s.io/v1/namespaces/ops/leases/netpol-extend", method: "PUT")
        let stale = Self.message(Self.status(409, "Conflict", "the object has been modified"), update)
        #expect(stale.kind == .conflict)
        #expect(stale.reason == "Conflict")
        #expect(stale.message == "the API server https://k:6443 refused to update leases.coordination.k8s.io \"netpol-extend\" in namespace ops: the object has been modified (409 Conflict); it changed since it was read (someone else wrote it first): read it again")
        let exists = Self.message(Self.status(409, "AlreadyExists", "leases \\\"netpol-extend\\\" already exists"), update)
        #expect(exists.kind == .conflict)
        #expect(exists.message.contains("; it already exists: read it again"))
    }

    @Test func forbiddenWritesNameTheControllersRules() {
        let lease = APIRequest(verb: "create", resource: .leases, namespace: "ops", path: "/x", method: "POST")
        let e = Self.message(Self.status(403, "Forbidden", "no"), lease)
        #expect(e.message.contains("allowing \"create\" on \"leases\" (API group \"coordination.k8s.io\") in namespace ops"))
        #expect(e.message.hasSuffix("the controller needs get, create and update on leases.coordination.k8s.io in its own namespace (leader election)"))
        let event = APIRequest(verb: "patch", resource: .events, namespace: "ops", path: "/x", method: "PATCH")
        #expect(Self.message(Self.status(403, "Forbidden", "no"), event).message.hasSuffix("the controller needs create and patch on events in its own namespace"))
    }

    @Test func objectPaths() {
        #expect(APIResource.leases.path(namespace: "ops", name: "l") == "/apis/coordination.k8s.io/v1/namespaces/ops/leases/l")
        #expect(APIResource.events.path(namespace: "ops") == "/api/v1/namespaces/ops/events")
    }

    @Test func bodyThatIsNotAStatusGivesItsFirstLine() {
        let e = Self.message(HTTPResponse(status: 404, body: Data("404 page not found\n".utf8)))
        #expect(e.message.contains(": 404 page not found;"))
    }

    @Test func secretsNeverPrint() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")],
            users: [("u", "token: tok-9c1e5f\nclient-certificate-data: \(Data("CERT-77a".utf8).base64EncodedString())\nclient-key-data: \(Data("KEY-31b".utf8).base64EncodedString())")],
            contexts: [("a", "c", "u")], current: "a"))
        let config = try KubeconfigLoader.load(file: path, context: nil)
        var dumped = ""
        dump(config, to: &dumped)
        let request = HTTPRequest(url: "https://x:1/api", purpose: "list pods", bearer: Secret("tok-9c1e5f"),
                                  tls: TLSMaterial(clientKey: Secret("KEY-31b")), timeouts: Timeouts())
        for text in ["\(config)", String(reflecting: config), dumped, "\(request)", String(reflecting: request)] {
            #expect(!text.contains("tok-9c1e5f"), "\(text)")
            #expect(!text.contains("KEY-31b"))
            #expect(!text.contains("CERT-77a"))
        }
        #expect("\(Secret("x"))" == "<redacted>")
    }

    @Test func badBase64AndYAMLErrorsDoNotQuoteTheValue() throws {
        let dir = try TempDirectory()
        let bad64 = try dir.write("k1", KC.config(
            clusters: [("c", "server: https://x:1")], users: [("u", "client-key-data: not*base64*secret-key-5e")],
            contexts: [("a", "c", "u")], current: "a"))
        let e1 = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: bad64, context: nil) }
        #expect(e1.message == "client-key-data of user \"u\" in \(bad64) is not valid base64")
        let badYAML = try dir.write("k2", "users:\n- name: u\n  user:\n    token: \"tok-unterminated-8d\n  other: [\n")
        let e2 = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: badYAML, context: nil) }
        #expect(e2.message.hasPrefix("kubeconfig \(badYAML) is not valid YAML"), "\(e2)")
        #expect(!e2.message.contains("tok-unterminated-8d"), "\(e2)")
    }
}
