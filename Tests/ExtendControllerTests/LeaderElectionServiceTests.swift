import ExtendController
import ExtendKube
import Foundation
import KubeSupport
import Testing

/// Replicas electing a leader on a real Lease in the stand-in API server
/// (lease 3 s, renew deadline 2 s, retry 0.5 s), sampled every 20 ms: never
/// two leaders; a graceful shutdown hands over within about a retry period;
/// a crash hands over only once the lease has run out.
@Suite(.serialized) struct LeaderElectionServiceTests {
    static let leasePath = "/apis/coordination.k8s.io/v1/namespaces/\(Live.namespace)/leases/\(Live.leaseName)"

    static func holder(_ server: FakeAPIServer) throws -> String {
        let lease = try server.send("GET", leasePath)
        return ((lease["spec"] as? [String: Any])?["holderIdentity"] as? String) ?? ""
    }

    @Test("two replicas: exactly one leads; shut down gracefully, it releases and the other leads within a retry period")
    func gracefulHandover() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            try await Replicas.with(["a", "b"], server: server) { replicas in
                replicas.forEach { $0.start() }
                var sampler = LeaderSampler()
                let elected = await sampler.run(replicas, limit: .seconds(5)) { $0.contains(where: \.leads) }
                #expect(elected != nil && elected! < .seconds(2), "someone leads soon: \(String(describing: elected))")
                await sampler.run(replicas, limit: .seconds(2))
                let leaders = replicas.filter(\.leads)
                try #require(leaders.count == 1, "exactly one leader in steady state")
                let leader = leaders[0], standby = replicas.first { $0 !== leader }!
                #expect(try Self.holder(server) == leader.identity)
                #expect(leader.events.all.map(\.reason) == ["LeaderElected"])
                #expect(standby.events.all.isEmpty)

                await leader.shutDown()
                #expect(!leader.leads)
                let tookOver = await sampler.run(replicas, limit: .seconds(4)) { _ in standby.leads }
                let after = try #require(tookOver, "the standby never took over")
                #expect(after <= .milliseconds(1_000), "released: taken over at the next read, \(after)")
                #expect(try Self.holder(server) == standby.identity)
                #expect(leader.events.all.map(\.reason) == ["LeaderElected", "LeadershipLost"])
                #expect(sampler.doubleLeaders.isEmpty, "\(sampler.doubleLeaders)")
                #expect(sampler.samples > 20, "the no-two-leaders check rests on \(sampler.samples) samples")
            }
        }
    }

    @Test("a leader killed without releasing is replaced once the lease has run out, not before")
    func crashedLeader() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            try await Replicas.with(["a", "b"], server: server) { replicas in
                let (a, b) = (replicas[0], replicas[1])
                a.start()
                var sampler = LeaderSampler()
                let elected = await sampler.run(replicas, limit: .seconds(5)) { _ in a.leads }
                try #require(elected != nil, "a never led")
                b.start()
                await sampler.run(replicas, limit: .seconds(2))
                #expect(a.leads && !b.leads)

                await a.kill()
                let killed = ContinuousClock.now
                #expect(!a.leads, "a stopped replica does not lead")
                #expect(try Self.holder(server) == "a", "a crash releases nothing")
                let tookOver = await sampler.run(replicas, limit: .seconds(8)) { _ in b.leads }
                let after = try #require(tookOver, "b never took over")
                let sinceKill = killed.duration(to: .now)
                // a renewed at most one retry period (0.5 s) before the kill; b counts
                // the 3 s lease from when it saw that renewal.
                #expect(sinceKill >= .milliseconds(2_400), "not before the lease ran out: \(after)")
                #expect(sinceKill <= .milliseconds(4_800), "soon after it ran out: \(after)")
                #expect(try Self.holder(server) == "b")
                #expect(sampler.doubleLeaders.isEmpty, "\(sampler.doubleLeaders)")
            }
        }
    }

    @Test("a leader whose API server stops answering stops leading at its renew deadline, while the request still hangs")
    func hungRenewal() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            try await Replicas.with(["a"], server: server, requestTimeout: .seconds(10)) { replicas in
                let a = replicas[0]
                a.start()
                var sampler = LeaderSampler()
                let elected = await sampler.run(replicas, limit: .seconds(5)) { _ in a.leads }
                try #require(elected != nil, "a never led")
                try server.adminCall("POST", "/latency", body: ["ms": 6_000])
                let slowed = ContinuousClock.now
                let stopped = await sampler.run(replicas, limit: .seconds(5)) { _ in !a.leads }
                #expect(stopped != nil, "still leading with every request hanging")
                let after = slowed.duration(to: .now)
                #expect(after <= .milliseconds(2_800), "the 2 s renew deadline, not the 6 s answer: \(after)")
                try server.adminCall("POST", "/latency", body: ["ms": 0])
            }
        }
    }

    @Test("forbidden leases: a clear error naming the RBAC rule, and it never leads")
    func forbidden() async throws {
        try await FakeAPIServer.with(["--forbid", "leases"]) { server in
            try Live.createNamespace(server)
            try await Replicas.with(["a"], server: server) { replicas in
                let a = replicas[0]
                a.start()
                var sampler = LeaderSampler()
                await sampler.run(replicas, limit: .seconds(2))
                #expect(!a.leads)
                #expect(a.events.all.isEmpty)
                let error = try #require(a.status.snapshot.lastError)
                #expect(error.contains("forbids user \"fake-admin\" to get leases.coordination.k8s.io \"netpol-extend\" in namespace netpol-extend"), "\(error)")
                #expect(error.contains("an RBAC rule allowing \"get\" on \"leases\" (API group \"coordination.k8s.io\") in namespace netpol-extend"), "\(error)")
                #expect(error.contains("get, create and update on leases.coordination.k8s.io in its own namespace"), "\(error)")
                #expect(a.status.snapshot.attempts >= 3, "it keeps trying")
            }
        }
    }

    @Test("three replicas racing, then a conflicting write by someone else: never two leaders")
    func conflicts() async throws {
        try await FakeAPIServer.with { server in
            try Live.createNamespace(server)
            try await Replicas.with(["a", "b", "c"], server: server) { replicas in
                replicas.forEach { $0.start() }
                var sampler = LeaderSampler()
                await sampler.run(replicas, limit: .seconds(3))
                let first = replicas.filter(\.leads)
                try #require(first.count == 1, "one of three leads: \(first.map(\.identity))")

                // Someone else takes the Lease over between the leader's read and its
                // next renewal (its own PUT may lose a race with a renewal: read again).
                let intruded = try server.replaceSpec(Self.leasePath, merging: [
                    "holderIdentity": "intruder", "leaseDurationSeconds": 3, "renewTime": KubeTimestamp.micro(Date()),
                ])
                try #require(intruded)
                let lost = await sampler.run(replicas, limit: .seconds(3)) { _ in !first[0].leads }
                #expect(lost != nil && lost! <= .milliseconds(1_500), "the leader sees the intruder at its next round: \(String(describing: lost))")
                // The intruder never renews: one replica takes over once its lease has run out.
                let back = await sampler.run(replicas, limit: .seconds(8)) { $0.contains(where: \.leads) }
                #expect(back != nil && back! >= .milliseconds(1_500), "not before the intruder's lease ran out: \(String(describing: back))")
                await sampler.run(replicas, limit: .seconds(1))
                #expect(replicas.filter(\.leads).count == 1)
                #expect(sampler.doubleLeaders.isEmpty, "\(sampler.doubleLeaders)")
                let statuses = try server.requests().compactMap { $0["status"] as? Int }
                #expect(statuses.contains(409), "the race and the intruder caused conflicts")
            }
        }
    }
}
