import ExtendController
import ExtendKube
import Foundation
import KubeSupport
import Logging
import Synchronization
import Testing

/// Events posted to the stand-in API server: the right fields, repeats
/// counted on one Event, a forbidden endpoint only logged.
@Suite(.serialized) struct KubernetesEventSinkTests {
    static let eventsPath = "/api/v1/namespaces/\(Live.namespace)/events"
    static let pod = ObjectReference.controller(environment: ["POD_NAME": "extend-7d9f-abc", "POD_NAMESPACE": Live.namespace],
                                                fallback: .lease(namespace: Live.namespace, name: Live.leaseName))
    static let failed = ControllerEvent(.warning, reason: "HostFailed", message: "ssh handshake failed", regarding: "host legacy/db-01")

    /// A wall clock the test moves.
    final class WallClock: Sendable {
        private let date = Mutex(Date(timeIntervalSince1970: 1_796_548_800))
        var now: Date { date.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    static func sink(_ server: FakeAPIServer, clock: WallClock) throws -> KubernetesEventSink {
        KubernetesEventSink(client: try Live.client(server), namespace: Live.namespace, involvedObject: pod,
                            host: "extend-7d9f-abc", logger: Logger(label: "test.events"), now: { clock.now })
    }

    static func events(_ server: FakeAPIServer) throws -> [[String: Any]] {
        (try server.send("GET", eventsPath)["items"] as? [[String: Any]]) ?? []
    }

    @Test func postedEventHasTheRightFields() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            let sink = try Self.sink(server, clock: WallClock())
            await sink.record(Self.failed)
            let items = try Self.events(server)
            try #require(items.count == 1)
            let e = items[0]
            #expect(e["reason"] as? String == "HostFailed")
            #expect(e["message"] as? String == "host legacy/db-01: ssh handshake failed")
            #expect(e["type"] as? String == "Warning")
            #expect(e["count"] as? Int == 1)
            #expect(e["firstTimestamp"] as? String == "2026-12-06T09:20:00Z")
            #expect(e["lastTimestamp"] as? String == "2026-12-06T09:20:00Z")
            #expect((e["source"] as? [String: Any])?["component"] as? String == "netpol-extend")
            let involved = e["involvedObject"] as? [String: Any] ?? [:]
            #expect(involved["kind"] as? String == "Pod")
            #expect(involved["name"] as? String == "extend-7d9f-abc")
            #expect(involved["namespace"] as? String == Live.namespace)
            #expect((e["metadata"] as? [String: Any])?["namespace"] as? String == Live.namespace)
        }
    }

    @Test func repeatsWithinTheWindowAreCounted() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            let clock = WallClock()
            let sink = try Self.sink(server, clock: clock)
            await sink.record(Self.failed)
            clock.advance(60)
            await sink.record(Self.failed)
            var items = try Self.events(server)
            try #require(items.count == 1, "one Event, counted")
            #expect(items[0]["count"] as? Int == 2)
            #expect(items[0]["firstTimestamp"] as? String == "2026-12-06T09:20:00Z")
            #expect(items[0]["lastTimestamp"] as? String == "2026-12-06T09:21:00Z")
            let patches = try server.requests().filter { $0["verb"] as? String == "patch" }
            #expect(patches.count == 1)

            // Another message is another Event; the same one after the window is posted afresh.
            await sink.record(ControllerEvent(.warning, reason: "HostFailed", message: "timed out", regarding: "host legacy/db-01"))
            clock.advance(301)
            await sink.record(Self.failed)
            items = try Self.events(server)
            #expect(items.count == 3)
            #expect(items.map { $0["count"] as? Int ?? 0 }.sorted() == [1, 1, 2])
        }
    }

    @Test func forbiddenEventsAreOnlyLogged() async throws {
        try await FakeAPIServer.with(["--forbid", "events:create,patch"]) { server in
            try Live.createNamespace(server)
            let sink = try Self.sink(server, clock: WallClock())
            await sink.record(Self.failed)
            await sink.record(Self.failed)
            #expect(try Self.events(server).isEmpty)
            let creates = try server.requests().filter { $0["verb"] as? String == "create" && $0["resource"] as? String == "events" }
            #expect(creates.map { $0["status"] as? Int } == [403, 403], "tried, refused, and tried again (nothing was posted to count on)")
        }
    }

    @Test func loggingSinkNeverFails() async {
        await LoggingEventSink(logger: Logger(label: "test.events")).record(Self.failed)
    }
}
