import ExtendController
import ExtendKube
import Foundation
import KubeSupport
import Testing

/// The Lease through the API: missing, created, updated on its
/// resourceVersion, and the conflicts a second writer causes.
@Suite(.serialized) struct LeaseClientTests {
    static func record(_ holder: String, renew: String, transitions: Int = 0) -> LeaseRecord {
        LeaseRecord(holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: "2026-12-06T09:20:00.000000Z",
                    renewTime: renew, leaseTransitions: transitions)
    }

    @Test func readCreateUpdateAndConflicts() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            let leases = LeaseClient(client: try Live.client(server), namespace: Live.namespace, name: Live.leaseName)
            #expect(try await leases.read() == nil, "no Lease yet")

            let a = Self.record("a", renew: "2026-12-06T09:20:00.000000Z")
            let created = try await leases.create(a)
            #expect(created.record == a)
            #expect(!created.resourceVersion.isEmpty)
            let read = try #require(try await leases.read())
            #expect(read.record == a && read.resourceVersion == created.resourceVersion)

            let renewed = Self.record("a", renew: "2026-12-06T09:20:02.500000Z")
            let updated = try await leases.write(.update(renewed, resourceVersion: created.resourceVersion))
            #expect(updated.record == renewed)
            #expect(updated.resourceVersion != created.resourceVersion)

            // b still holds the first resourceVersion: its write is refused, as a conflict.
            let stale = await #expect(throws: KubeError.self) {
                try await leases.update(Self.record("b", renew: "2026-12-06T09:20:03.000000Z", transitions: 1),
                                        resourceVersion: created.resourceVersion)
            }
            #expect(stale?.kind == .conflict)
            #expect(stale?.reason == "Conflict")
            #expect(stale?.message.contains("update leases.coordination.k8s.io \"netpol-extend\" in namespace netpol-extend") == true, "\(String(describing: stale))")

            let again = await #expect(throws: KubeError.self) { try await leases.create(a) }
            #expect(again?.kind == .conflict)
            #expect(again?.reason == "AlreadyExists")
            #expect(try await leases.read()?.record == renewed, "nothing changed by the refused writes")

            let wire = try server.send("GET", "/apis/coordination.k8s.io/v1/namespaces/\(Live.namespace)/leases/\(Live.leaseName)")
            let spec = wire["spec"] as? [String: Any] ?? [:]
            #expect(spec["renewTime"] as? String == "2026-12-06T09:20:02.500000Z")
            #expect(spec["holderIdentity"] as? String == "a")
        }
    }
}
