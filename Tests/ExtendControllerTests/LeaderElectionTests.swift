import ExtendController
import Testing

/// Two replicas and one Lease, on injected clocks: exactly one leads, a
/// takeover waits out the lease, a leader that cannot renew stops at once.
@Suite struct LeaderElectionTests {
    static func settings(_ id: String) -> LeaderElection.Settings {
        .init(identity: id, leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))
    }

    /// The Lease as the API server keeps it: writes conditional on resourceVersion.
    struct Server {
        var lease: (record: LeaseRecord, resourceVersion: String)?
        var version = 0

        /// Applies a write; nil on conflict (or when the Lease already exists, for a create).
        mutating func apply(_ w: LeaderElection.Write) -> (LeaseRecord, String)? {
            switch w {
            case .create(let r):
                guard lease == nil else { return nil }
                version += 1
                lease = (r, "\(version)")
            case .update(let r, let rv):
                guard lease?.resourceVersion == rv else { return nil }
                version += 1
                lease = (r, "\(version)")
            }
            return lease.map { ($0.record, $0.resourceVersion) }
        }
    }

    /// One attempt of a replica: read, maybe write, record the outcome.
    static func attempt(_ e: inout LeaderElection, _ server: inout Server, now: Duration, reachable: Bool = true) {
        guard reachable else {
            e.writeFailed(now: now)
            return
        }
        guard let w = e.read(server.lease, now: now, stamp: "t\(now.components.seconds)") else { return }
        if let (r, rv) = server.apply(w) { e.wrote(r, resourceVersion: rv, now: now) } else { e.writeFailed(now: now) }
    }

    @Test("the first replica creates the Lease and leads; the second follows while it is renewed")
    func oneLeader() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a")), b = LeaderElection(settings: Self.settings("b"))
        for t in stride(from: 0, through: 120, by: 2) {
            Self.attempt(&a, &server, now: .seconds(t))
            Self.attempt(&b, &server, now: .seconds(t) + .milliseconds(500))
            #expect(a.isLeader && !b.isLeader, "at \(t) s")
        }
        #expect(server.lease?.record.holderIdentity == "a")
        #expect(server.lease?.record.leaseTransitions == 0)
    }

    @Test("when the leader dies, the other takes over once the lease has gone unrenewed for its duration, not before")
    func takeover() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a")), b = LeaderElection(settings: Self.settings("b"))
        Self.attempt(&a, &server, now: .zero)
        Self.attempt(&b, &server, now: .seconds(1))
        // a dies at 0 s. b keeps reading every 2 s.
        var took: Duration?
        for t in stride(from: 3, through: 40, by: 2) {
            Self.attempt(&b, &server, now: .seconds(t))
            if b.isLeader && took == nil { took = .seconds(t) }
        }
        guard let at = took else {
            Issue.record("b never took over")
            return
        }
        #expect(at >= .seconds(16) && at <= .seconds(18), "b first saw the record at 1 s: free at 16 s, taken at \(at)")
        #expect(server.lease?.record.holderIdentity == "b")
        #expect(server.lease?.record.leaseTransitions == 1)
        #expect(server.lease?.record.acquireTime == "t\(at.components.seconds)")
    }

    @Test("a leader that cannot reach the API stops leading at its renew deadline, before anyone may take over")
    func leaderPartitioned() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a")), b = LeaderElection(settings: Self.settings("b"))
        Self.attempt(&a, &server, now: .zero)
        Self.attempt(&b, &server, now: .zero)
        var aStopped: Duration?, bStarted: Duration?
        for t in stride(from: 2, through: 40, by: 1) {
            Self.attempt(&a, &server, now: .seconds(t), reachable: false)
            a.expire(now: .seconds(t))
            if !a.isLeader && aStopped == nil { aStopped = .seconds(t) }
            Self.attempt(&b, &server, now: .seconds(t))
            if b.isLeader && bStarted == nil { bStarted = .seconds(t) }
            #expect(!(a.isLeader && b.isLeader), "never two leaders, at \(t) s")
        }
        #expect(aStopped == .seconds(10))
        #expect(bStarted == .seconds(15))
    }

    @Test("a leader that finds someone else holding the Lease stops leading at once")
    func overwritten() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a"))
        Self.attempt(&a, &server, now: .zero)
        #expect(a.isLeader)
        _ = server.apply(.update(LeaseRecord(holderIdentity: "x", leaseDurationSeconds: 15, acquireTime: "", renewTime: "", leaseTransitions: 1),
                                 resourceVersion: server.lease!.resourceVersion))
        Self.attempt(&a, &server, now: .seconds(2))
        #expect(!a.isLeader)
    }

    @Test("a conflicting write keeps the leader leading until its deadline; a write race has one winner")
    func conflicts() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a")), b = LeaderElection(settings: Self.settings("b"))
        // Both read a missing Lease and both try to create it.
        let wa = a.read(nil, now: .zero, stamp: "t0"), wb = b.read(nil, now: .zero, stamp: "t0")
        let ra = server.apply(wa!), rb = server.apply(wb!)
        #expect(ra != nil && rb == nil)
        if let (r, rv) = ra { a.wrote(r, resourceVersion: rv, now: .zero) }
        b.writeFailed(now: .zero)
        #expect(a.isLeader && !b.isLeader)
        a.writeFailed(now: .seconds(5))
        #expect(a.isLeader, "one failed renewal is not the end")
    }

    @Test("released on shutdown: the other replica takes over at its next read")
    func release() {
        var server = Server()
        var a = LeaderElection(settings: Self.settings("a")), b = LeaderElection(settings: Self.settings("b"))
        Self.attempt(&a, &server, now: .zero)
        Self.attempt(&b, &server, now: .seconds(1))
        let r = a.release(stamp: "t3")
        #expect(!a.isLeader)
        #expect(server.apply(r!) != nil)
        #expect(server.lease?.record.holderIdentity == "")
        Self.attempt(&b, &server, now: .seconds(3))
        #expect(b.isLeader)
        var c = LeaderElection(settings: Self.settings("c"))
        #expect(c.release(stamp: "x") == nil, "a follower releases nothing")
    }
}
