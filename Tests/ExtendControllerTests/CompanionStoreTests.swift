import ExtendController
import ExtendCore
import ExtendKube
import Foundation
import KubeSupport
import Logging
import Testing

/// The companions' writes, one at a time, against the stand-in API server:
/// each decided on the object read just before it, nothing without both our
/// labels ever written or deleted, a write that loses a race read again.
@Suite(.serialized) struct CompanionStoreTests {
    static let path = "/apis/networking.k8s.io/v1/namespaces/live/networkpolicies"

    /// The companion of policy `web` admitting 198.18.1.10 on `port`.
    static func companion(port: Int, uid: String = "uid-web-1") -> Companion {
        let rule = NetworkPolicy.Rule(peers: [.ipBlock(.init(cidr: CIDR("198.18.1.10/32")!))],
                                      ports: [.init(proto: .tcp, port: .number(port))])
        return Companion(policy: NetworkPolicy(namespace: "live", name: "web-npx-hosts", podSelector: LabelSelector(matchLabels: ["app": "web"]),
                                               policyTypes: [.ingress], ingress: [rule], labels: Companion.labels),
                         sourceName: "web", sourceUID: uid)
    }

    static func withServer(_ body: (FakeAPIServer, CompanionStore) async throws -> Void) async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"]) { server in
            try await server.offPool { _ = try $0.create("/api/v1/namespaces", object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "live"]]) }
            let client = APIClient(config: try KubeconfigLoader.load(file: server.kubeconfig, context: nil), retry: RetryPolicy(maxAttempts: 1),
                                   logger: Logger(label: "test.companions"))
            try await body(server, CompanionStore(client: client))
        }
    }

    @Test func createdThenUpdatedThenLeftAsItIs() async throws {
        try await Self.withServer { server, store in
            #expect(try await store.ensure(Self.companion(port: 5432)) == .created)
            #expect(try await store.ensure(Self.companion(port: 5432)) == .unchanged, "nothing written when it holds what is wanted")
            #expect(try await store.ensure(Self.companion(port: 6432)) == .updated)
            #expect(try await store.ensure(Self.companion(port: 6432, uid: "uid-web-2")) == .updated, "a recreated policy owns it now")
            let stored = try #require(try await server.policies(in: "live")["web-npx-hosts"])
            #expect(stored.ports == ["TCP/6432"] && stored.owners == ["NetworkPolicy/web/uid-web-2/controller=false/block=false"], "\(stored)")
            #expect(try await server.policyWrites().map { $0.split(separator: " ")[0] } == ["create", "update", "update"])
        }
    }

    @Test func anUpdateThatLosesARaceReadsAgainAndWrites() async throws {
        try await Self.withServer { server, store in
            #expect(try await store.ensure(Self.companion(port: 5432)) == .created)
            // The next PUT is refused with 409, as when someone wrote between our read and our write.
            try await server.offPool { _ = try $0.adminCall("POST", "/fail", body: ["count": 1, "code": 409, "match": "PUT \(Self.path)/web-npx-hosts"]) }
            #expect(try await store.ensure(Self.companion(port: 6432)) == .updated)
            let calls = try await server.offPool { server in
                try server.requests().filter { ($0["path"] as? String ?? "").hasPrefix(Self.path) }
                    .map { "\($0["method"] as? String ?? "") \($0["status"] as? Int ?? 0)" }
            }
            #expect(try await server.policies(in: "live")["web-npx-hosts"]?.ports == ["TCP/6432"])
            #expect(calls == ["GET 404", "POST 201", "GET 200", "PUT 409", "GET 200", "PUT 200"],
                    "update: a read, the lost write, a read again, the write: \(calls)")
        }
    }

    @Test func aPolicyNotOursIsNeverWrittenNorDeleted() async throws {
        try await Self.withServer { server, store in
            for labels in [[:], ["app.kubernetes.io/managed-by": "netpol-extend"], ["netpol-extend.io/companion": "true"]] {
                try await server.offPool { server in
                    _ = try server.create(Self.path, object: ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                                          "metadata": ["name": "web-npx-hosts", "labels": labels],
                                                          "spec": ["podSelector": [:] as [String: Any]]])
                }
                let before = try await server.policies(in: "live")["web-npx-hosts"]
                #expect(try await store.ensure(Self.companion(port: 5432)) == .notOurs, "\(labels)")
                #expect(try await store.remove(namespace: "live", name: "web-npx-hosts") == .notOurs, "\(labels)")
                #expect(try await server.policies(in: "live")["web-npx-hosts"] == before)
                #expect(try await server.policyWrites() == ["create \(Self.path)"], "only the test's own create")
                try await server.offPool { server in
                    _ = try server.delete(Self.path + "/web-npx-hosts")
                    _ = try server.adminCall("POST", "/reset-log")
                }
            }
        }
    }

    @Test func aDeleteIsConditionalOnTheObjectRead() async throws {
        try await Self.withServer { server, store in
            #expect(try await store.ensure(Self.companion(port: 5432)) == .created)
            try await server.offPool { _ = try $0.adminCall("POST", "/fail", body: ["count": 1, "code": 409, "match": "DELETE \(Self.path)/web-npx-hosts"]) }
            #expect(try await store.remove(namespace: "live", name: "web-npx-hosts") == .deleted)
            #expect(try await server.policies(in: "live")["web-npx-hosts"] == nil)
            #expect(try await store.remove(namespace: "live", name: "web-npx-hosts") == .gone)
            let deletes = try await server.offPool { server in
                try server.requests().filter { $0["method"] as? String == "DELETE" }.map { $0["status"] as? Int ?? 0 }
            }
            #expect(deletes == [409, 200], "the refused delete, then the one after reading again (and none once it is gone)")
        }
    }
}
