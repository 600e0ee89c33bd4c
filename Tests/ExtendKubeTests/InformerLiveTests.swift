import ExtendCore
import ExtendInput
import Foundation
import KubeSupport
import Testing
@testable import ExtendKube

/// Informers against the stand-in API server, started and stopped by each
/// test: real watches, bookmarks, cut streams, compaction and faults.
@Suite(.serialized) struct InformerLiveTests {
    static func client(_ server: FakeAPIServer) throws -> APIClient {
        let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
        let retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), jitter: { 0 })
        return APIClient(config: config, retry: retry, timeouts: Timeouts(connect: .seconds(5), request: .seconds(20)),
                         logger: .init(label: "test"), transport: CurlTransport())
    }

    /// Short watches (renewed during the test) and quick backoff.
    static func options(watch: Duration = .seconds(3), backoff: RetryPolicy? = nil) -> InformerOptions {
        InformerOptions(pageSize: 2, watchTimeout: watch, watchMargin: .seconds(5), idleTimeout: .seconds(5),
                        backoff: backoff ?? RetryPolicy(baseDelay: .milliseconds(50), maxDelay: .seconds(1)),
                        minimumWatch: .milliseconds(200))
    }

    static func pod(_ name: String, labels: [String: String] = ["app": "web"]) -> [String: Any] {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": name, "labels": labels],
         "spec": ["containers": [["name": "c", "image": "nginx"]]]]
    }

    static func podNames(_ changes: [ClusterChange]) -> [String] {
        changes.compactMap {
            switch $0 {
            case .pod(let p): "+\(p.name)"
            case .podDeleted(_, let name): "-\(name)"
            default: nil
            }
        }
    }

    /// The keys of a fresh list, as `InformerProbe.state` names them.
    static func freshPods(_ client: APIClient) async throws -> Set<String> {
        let list = try await client.list(.pods)
        let objects = list.pages.flatMap { APIObjectReader.page($0.text, name: $0.name, kind: "Pod", apiVersion: "v1").objects }
        return Set(objects.map { "pod \($0.key)" })
    }

    static func watchRequests(_ server: FakeAPIServer, _ path: String = "/api/v1/pods") throws -> [[String: Any]] {
        try server.requests().filter { $0["path"] as? String == path && ($0["query"] as? String ?? "").contains("watch=1") }
    }

    @Test func initialStateThenEachChangeExactlyOnce() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.5"], loading: try ExampleCluster.jsonList()) { server in
            let client = try Self.client(server)
            let expected = try await ClusterReader(client: client).read().load.cluster
            let watch = ClusterWatch(client: client, options: Self.options())
            try await InformerProbe.running(watch) { probe in
                try await probe.wait("all three synced") { probe.allSynced == 1 }
                #expect(watch.isSynced)
                let initial = probe.batches.filter { $0.marker == .synced }
                #expect(Set(initial.map(\.resource)) == [.namespaces, .pods, .networkPolicies])
                let changes = initial.flatMap(\.changes)
                var pods: [String: Pod] = [:], namespaces: [String: Namespace] = [:], policies: [String: NetworkPolicy] = [:]
                for change in changes {
                    switch change {
                    case .pod(let p): pods[p.ref] = p
                    case .namespace(let n): namespaces[n.name] = n
                    case .policy(let p): policies[p.id] = p
                    default: Issue.record("not an upsert: \(change)")
                    }
                }
                #expect(changes.count == pods.count + namespaces.count + policies.count)
                #expect(pods.count == expected.pods.count && namespaces.count == expected.namespaces.count && policies.count == expected.policies.count)
                for p in expected.pods { #expect(pods[p.ref].map { ManifestObject.pod($0).sameContent(as: .pod(p)) } == true, "\(p.ref)") }
                for n in expected.namespaces { #expect(namespaces[n.name].map { ManifestObject.namespace($0).sameContent(as: .namespace(n)) } == true) }
                for p in expected.policies { #expect(policies[p.id].map { ManifestObject.policy($0).sameContent(as: .policy(p)) } == true) }

                try server.create("/api/v1/namespaces/live/pods", object: Self.pod("new-1"))
                try await probe.wait("created pod") { probe.watchChanges.count == 1 }
                try server.mergePatch("/api/v1/namespaces/live/pods/new-1", ["metadata": ["labels": ["app": "v2"]]])
                try await probe.wait("relabelled pod") { probe.watchChanges.count == 2 }
                try server.mergePatch("/api/v1/namespaces/live/pods/new-1/status",
                                      ["status": ["phase": "Running", "podIP": "10.9.0.9", "podIPs": [["ip": "10.9.0.9"]]]])
                try await probe.wait("readdressed pod") { probe.watchChanges.count == 3 }
                try server.delete("/api/v1/namespaces/live/pods/new-1")
                try await probe.wait("deleted pod") { probe.watchChanges.count == 4 }
                try server.mergePatch("/api/v1/namespaces/staging", ["metadata": ["labels": ["tier": "test"]]])
                try await probe.wait("relabelled namespace") { probe.watchChanges.count == 5 }
                try server.mergePatch("/apis/networking.k8s.io/v1/namespaces/live/networkpolicies/billing-db",
                                      ["spec": ["podSelector": ["matchLabels": ["app": "billing"]]]])
                try await probe.wait("edited policy") { probe.watchChanges.count == 6 }
                // Bookmarks and renewed watches (every 3 s) bring nothing more.
                try await Task.sleep(for: .seconds(4))
                let seen = probe.watchChanges
                #expect(seen.count == 6, "\(seen)")
                guard seen.count == 6 else { return }
                guard case .pod(let created) = seen[0], case .pod(let relabelled) = seen[1], case .pod(let readdressed) = seen[2] else {
                    Issue.record("pod changes: \(seen)")
                    return
                }
                #expect(created.ref == "live/new-1" && created.labels == ["app": "web"])
                #expect(relabelled.labels == ["app": "v2"] && relabelled.ips.isEmpty)
                #expect(readdressed.ips.map(\.description) == ["10.9.0.9"] && readdressed.labels == ["app": "v2"])
                #expect(seen[3] == .podDeleted(namespace: "live", name: "new-1"))
                guard case .namespace(let ns) = seen[4], case .policy(let policy) = seen[5] else {
                    Issue.record("namespace and policy changes: \(seen)")
                    return
                }
                #expect(ns.name == "staging" && ns.labels["tier"] == "test")
                #expect(policy.id == "live/billing-db" && policy.podSelector != expected.policies.first { $0.id == "live/billing-db" }?.podSelector)
                #expect(watch.health.values.allSatisfy { $0.watchRestarts >= 1 && $0.lists == 1 })
            }
        }
    }

    @Test func droppedWatchResumesFromTheLastResourceVersion() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.5"]) { server in
            let client = try Self.client(server)
            let informer = Informer(resource: .pods, client: client, options: Self.options(watch: .seconds(30)))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("synced") { informer.health.synced }
                var dropped = 0
                for i in 1...12 {
                    try server.create("/api/v1/namespaces/default/pods", object: Self.pod("p-\(i)"))
                    if i == 4 || i == 8 {
                        dropped += try server.adminCall("POST", "/drop-watches")["dropped"] as? Int ?? 0
                    }
                    if i == 8 {
                        try server.delete("/api/v1/namespaces/default/pods/p-2")
                        try server.mergePatch("/api/v1/namespaces/default/pods/p-3", ["metadata": ["labels": ["app": "db"]]])
                    }
                }
                #expect(dropped >= 2)
                try await probe.wait("every change") { probe.watchChanges.count == 14 }
                try await Task.sleep(for: .seconds(1))
                let names = Self.podNames(probe.watchChanges)
                #expect(names.count == 14, "\(names)")
                #expect(Set(names) == Set((1...12).map { "+p-\($0)" } + ["-p-2"]))
                #expect(names.filter { $0 == "+p-3" }.count == 2)
                #expect(Set(probe.state.keys) == (try await Self.freshPods(client)))
                let health = informer.health
                #expect(health.lists == 1 && health.relists == 0)
                #expect(health.watchRestarts >= 2)
                // A cut stream is told from a clean end: no terminating chunk is a transport failure.
                #expect(health.lastError?.contains("closed the connection before the answer was complete") ?? false, "\(health.lastError ?? "")")
                // The watches opened after a drop start where the last event left off, not at the list.
                let watches = try Self.watchRequests(server)
                let versions = watches.compactMap { ($0["params"] as? [String: Any])?["resourceVersion"] as? String }
                #expect(Set(versions).count >= 3, "\(versions)")
            }
        }
    }

    @Test func compactionRelistsAndHandsOnTheMissedDifferenceOnce() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.5"], loading: try LiveAPITests.pods(5)) { server in
            let client = try Self.client(server)
            let informer = Informer(resource: .pods, client: client, options: Self.options(watch: .seconds(30)))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("synced") { informer.health.synced }
                #expect(probe.batches.first?.changes.count == 5)
                // Keep the watch down while the cluster changes and its history is compacted.
                try server.adminCall("POST", "/fail", body: ["count": 10_000, "code": 500, "match": "watch=1"])
                try server.adminCall("POST", "/drop-watches")
                try await probe.wait("watch down") { informer.health.consecutiveFailures >= 1 }
                try server.delete("/api/v1/namespaces/app/pods/pod-01")
                try server.mergePatch("/api/v1/namespaces/app/pods/pod-02", ["metadata": ["labels": ["app": "db"]]])
                try server.create("/api/v1/namespaces/app/pods", object: Self.pod("pod-new"))
                try server.adminCall("POST", "/compact")
                try server.adminCall("POST", "/fail", body: ["count": 0])
                try await probe.wait("relisted") { probe.batches.contains { $0.marker == .relisted } }
                try await Task.sleep(for: .seconds(1))
                let relisted = probe.batches.filter { $0.marker == .relisted }
                #expect(relisted.count == 1)
                #expect(Self.podNames(relisted.first?.changes ?? []).sorted() == ["+pod-02", "+pod-new", "-pod-01"])
                #expect(probe.watchChanges.isEmpty, "\(probe.watchChanges)")
                #expect(Set(probe.state.keys) == (try await Self.freshPods(client)))
                let health = informer.health
                #expect(health.relists == 1 && health.lists == 2)
                #expect(health.objects == 5)
            }
        }
    }

    @Test func bookmarksAdvanceTheResourceVersion() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.3"]) { server in
            let client = try Self.client(server)
            let informer = Informer(resource: .pods, client: client, options: Self.options(watch: .seconds(2)))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("synced") { informer.health.synced }
                let listed = informer.health.resourceVersion
                // A write elsewhere moves the global resourceVersion; only a bookmark tells the pods watch.
                let configMap = try server.create("/api/v1/namespaces/default/configmaps",
                                                  object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "moved"]])
                let rv = FakeAPIServer.resourceVersion(of: configMap)
                #expect(!rv.isEmpty && rv != listed)
                try await probe.wait("bookmark at \(rv)") { informer.health.resourceVersion == rv }
                #expect(informer.health.bookmarks >= 1)
                try await probe.wait("a watch renewed from the bookmark") {
                    ((try? Self.watchRequests(server)) ?? []).contains { ($0["params"] as? [String: Any])?["resourceVersion"] as? String == rv }
                }
                let first = try Self.watchRequests(server).first
                let params = first?["params"] as? [String: Any]
                #expect(params?["resourceVersion"] as? String == listed)
                #expect(params?["allowWatchBookmarks"] as? String == "true")
                #expect(params?["timeoutSeconds"] as? String == "2")
                #expect(probe.watchChanges.isEmpty)
            }
        }
    }

    @Test func tooManyRequestsWaitsForRetryAfter() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.5"]) { server in
            let client = try Self.client(server)
            let sleeps = RecordedSleeps()
            let informer = Informer(resource: .pods, client: client,
                                    options: Self.options(watch: .seconds(30), backoff: sleeps.policy()))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("synced") { informer.health.synced }
                try server.adminCall("POST", "/fail", body: ["count": 1, "code": 429, "retryAfter": 2, "match": "watch=1"])
                try server.adminCall("POST", "/drop-watches")
                func answered() throws -> (rejected: Double, next: Double)? {
                    let watches = try Self.watchRequests(server)
                    guard let i = watches.firstIndex(where: { $0["status"] as? Int == 429 }), i + 1 < watches.count,
                          let t0 = watches[i]["time"] as? Double, let t1 = watches[i + 1]["time"] as? Double else { return nil }
                    return (t0, t1)
                }
                try await probe.wait("the watch after the 429") { ((try? answered()) ?? nil) != nil }
                let times = try #require(try answered())
                #expect(times.next - times.rejected >= 1.95, "waited \(times.next - times.rejected) s")
                #expect(sleeps.waits.contains(.seconds(2)))
                #expect(informer.health.lastErrorStatus == 429)
                #expect(informer.health.lastError?.contains("429") ?? false)
            }
        }
    }

    @Test func forbiddenWatchNamesTheVerbAndBacksOff() async throws {
        try await FakeAPIServer.with(["--forbid", "pods:watch", "--bookmark-interval", "0.3"]) { server in
            let client = try Self.client(server)
            let sleeps = RecordedSleeps()
            let informer = Informer(resource: .pods, client: client,
                                    options: Self.options(watch: .seconds(30), backoff: sleeps.policy()))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("synced") { informer.health.synced }
                try await probe.wait("failures") { informer.health.consecutiveFailures >= 4 }
                let health = informer.health
                #expect(health.lastErrorStatus == 403)
                let message = health.lastError ?? ""
                #expect(message.contains("cannot watch resource \"pods\""), "\(message)")
                #expect(message.contains("an RBAC rule allowing \"watch\" on \"pods\""), "\(message)")
                #expect(Array(sleeps.waits.prefix(3)) == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
                // Once allowed, it recovers on its own and hands on what happened meanwhile.
                try server.create("/api/v1/namespaces/default/pods", object: Self.pod("while-forbidden"))
                try server.adminCall("POST", "/forbid", body: ["rules": [String]()])
                try await probe.wait("recovered") { Self.podNames(probe.watchChanges) == ["+while-forbidden"] }
                try await probe.wait("failures reset") { informer.health.consecutiveFailures == 0 }
            }
        }
    }

    /// Cancelling the task that runs an informer ends its open watch (the stream's stop flag), promptly.
    @Test func cancellingEndsTheWatch() async throws {
        try await FakeAPIServer.with(["--bookmark-interval", "0.5"]) { server in
            let client = try Self.client(server)
            let informer = Informer(resource: .pods, client: client, options: Self.options(watch: .seconds(60)))
            try await InformerProbe.running(informer) { probe in
                try await probe.wait("watching") { (try? server.adminCall("GET", "/stats")["openWatches"] as? Int) == 1 }
            }
            let probe = InformerProbe()
            try await probe.wait("watch closed", timeout: .seconds(5)) {
                (try? server.adminCall("GET", "/stats")["openWatches"] as? Int) == 0
            }
        }
    }
}
