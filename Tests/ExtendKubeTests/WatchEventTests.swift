import ExtendCore
import ExtendInput
import Testing
@testable import ExtendKube

/// The watch stream's lines, decoded through the manifest decoder.
@Suite struct WatchEventTests {
    static let name = "https://api/api/v1/pods?watch=1 (event 1)"

    static func decode(_ line: String, _ resource: APIResource = .pods) -> WatchEvent {
        WatchEvent.decode(line, name: name, resource: resource)
    }

    static let pod = #"{"metadata":{"name":"web-1","namespace":"app","resourceVersion":"42","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","ports":[{"name":"http","containerPort":80}]}]},"status":{"phase":"Running","podIP":"10.1.0.7"}}"#

    @Test func addedPodIsThePodTheManifestDecoderReads() throws {
        guard case .added(let object) = Self.decode(#"{"type":"ADDED","object":\#(Self.pod)}"#) else {
            Issue.record("not ADDED")
            return
        }
        #expect(object.key == "app/web-1")
        #expect(object.resourceVersion == "42")
        guard case .pod(let pod) = try #require(object.value) else { Issue.record("not a pod"); return }
        #expect(pod.labels == ["app": "web"])
        #expect(pod.ips.map(\.description) == ["10.1.0.7"])
        #expect(pod.containerPorts.map(\.name) == ["http"])
        #expect(pod.origin == "\(Self.name):1")
    }

    @Test func modifiedAndDeletedCarryTheObject() {
        guard case .modified(let m) = Self.decode(#"{"type":"MODIFIED","object":\#(Self.pod)}"#) else {
            Issue.record("not MODIFIED")
            return
        }
        #expect(m.value != nil)
        guard case .deleted(let d) = Self.decode(#"{"type":"DELETED","object":\#(Self.pod)}"#) else {
            Issue.record("not DELETED")
            return
        }
        #expect(d.key == "app/web-1")
    }

    @Test func bookmarkGivesItsResourceVersion() {
        let line = #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"977"}}}"#
        guard case .bookmark(let rv) = Self.decode(line) else { Issue.record("not a bookmark"); return }
        #expect(rv == "977")
    }

    @Test func expiredErrorMeansRelist() {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}"#
        guard case .expired(let message) = Self.decode(line) else { Issue.record("not expired"); return }
        #expect(message == "too old resource version: 5 (9)")
    }

    @Test func otherErrorKeepsItsStatus() {
        let line = #"{"type":"ERROR","object":{"kind":"Status","message":"boom","reason":"InternalError","code":500}}"#
        guard case .error(let status) = Self.decode(line) else { Issue.record("not an error"); return }
        #expect(status == WatchEventRead.Status(code: 500, reason: "InternalError", message: "boom"))
    }

    /// A pod that does not decode is still named (so it can be reported and deleted), with a located diagnostic.
    @Test func badObjectIsNamedWithItsProblem() {
        let bad = Self.pod.replacingOccurrences(of: "Running", with: "Sleeping")
        guard case .modified(let object) = Self.decode(#"{"type":"MODIFIED","object":\#(bad)}"#) else {
            Issue.record("not MODIFIED")
            return
        }
        #expect(object.value == nil)
        #expect(object.described == "Pod app/web-1")
        #expect(object.diagnostics.contains { $0.message.contains("phase \"Sleeping\" is not a pod phase") && ($0.location?.hasPrefix(Self.name + ":1:") ?? false) })
    }

    @Test(arguments: [
        (#"{"type":"ADDED","object":{"metadata":"#, "JSON"),
        (#"{"object":{}}"#, "missing type"),
        (#"{"type":"SOMETHING","object":{}}"#, "unknown watch event type"),
    ])
    func unreadableLinesSayWhy(line: String, says: String) {
        guard case .unreadable(_, let diagnostics) = Self.decode(line) else { Issue.record("readable: \(line)"); return }
        #expect(diagnostics.contains { $0.description.contains(says) }, "\(diagnostics)")
    }

    /// An object of another kind on a pods watch is named, not decoded.
    @Test func wrongKindIsNamedNotDecoded() {
        let line = #"{"type":"ADDED","object":{"kind":"Service","apiVersion":"v1","metadata":{"name":"x","namespace":"a"}}}"#
        guard case .added(let object) = Self.decode(line) else { Issue.record("not ADDED"); return }
        #expect(object.value == nil)
        #expect(object.key == "a/x")
        #expect(object.diagnostics.contains { $0.message.contains("expected a Pod, got kind \"Service\"") }, "\(object.diagnostics)")
    }

    @Test func policyAndNamespaceEvents() throws {
        let ns = #"{"type":"ADDED","object":{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"live","resourceVersion":"3","labels":{"team":"a"}}}}"#
        guard case .added(let n) = Self.decode(ns, .namespaces), case .namespace(let namespace) = try #require(n.value) else {
            Issue.record("namespace")
            return
        }
        #expect(namespace.labels == ["team": "a", "kubernetes.io/metadata.name": "live"])
        #expect(n.key == "live")
        let np = #"{"type":"ADDED","object":{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"deny","namespace":"live","resourceVersion":"4"},"spec":{"podSelector":{}}}}"#
        guard case .added(let p) = Self.decode(np, .networkPolicies), case .policy(let policy) = try #require(p.value) else {
            Issue.record("policy")
            return
        }
        #expect(policy.id == "live/deny")
    }

    @Test func lineSplitterJoinsPiecesAndSkipsBlankLines() {
        var splitter = LineSplitter()
        func feed(_ s: String) -> [String] { Array(s.utf8).withUnsafeBytes { splitter.feed($0) } }
        #expect(feed("{\"a\":") == [])
        #expect(feed("1}\n{\"b\"") == ["{\"a\":1}"])
        #expect(feed(":2}\r\n\n  \n{\"c\":3}") == ["{\"b\":2}"])
        #expect(splitter.finish() == "{\"c\":3}")
        #expect(splitter.finish() == nil)
    }
}
