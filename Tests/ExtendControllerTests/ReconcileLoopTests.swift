import ExtendController
import Testing

/// The controller's scheduling, on an injected clock: what runs when.
@Suite struct ReconcileLoopTests {
    static let settings = ReconcileSettings(minInterval: .seconds(1), retryBase: .seconds(2), retryCap: .seconds(16),
                                            resyncInterval: .seconds(600), concurrency: 2)

    static func s(_ x: Double) -> Duration { .milliseconds(Int64(x * 1000)) }

    @Test("every host runs once at start, at most `concurrency` at a time, earliest first then by name")
    func firstReconcile() {
        var loop = ReconcileLoop(hosts: ["c", "a", "b"], settings: Self.settings, now: .zero)
        #expect(loop.handle(.tick, now: .zero) == [.converge("a"), .converge("b")])
        #expect(loop.state(of: "c") == .pending)
        #expect(loop.handle(.succeeded("a"), now: Self.s(0.2)) == [.converge("c")])
        #expect(loop.handle(.succeeded("b"), now: Self.s(0.3)) == [])
        #expect(loop.handle(.succeeded("c"), now: Self.s(0.4)) == [])
        #expect(loop.hostNames.allSatisfy { loop.state(of: $0) == .converged })
    }

    @Test("a burst of changes to one host within minInterval is one run, at lastStart + minInterval")
    func burstCoalesces() {
        var loop = ReconcileLoop(hosts: ["db"], settings: Self.settings, now: .zero)
        #expect(loop.handle(.tick, now: .zero) == [.converge("db")])
        #expect(loop.handle(.succeeded("db"), now: Self.s(0.1)) == [])
        var started: [ReconcileLoop.Action] = []
        for i in 0..<50 { started += loop.handle(.changed(["db"]), now: Self.s(0.2 + Double(i) * 0.01)) }
        #expect(started.isEmpty, "the last run started at 0 s: nothing before 1 s")
        #expect(loop.nextWakeup == Self.s(1))
        #expect(loop.handle(.tick, now: Self.s(1)) == [.converge("db")])
        #expect(loop.handle(.succeeded("db"), now: Self.s(1.1)) == [])
        #expect(loop.state(of: "db") == .converged)
    }

    @Test("a change to an idle host long after its last run starts it at once")
    func idleHostRunsAtOnce() {
        var loop = ReconcileLoop(hosts: ["db"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        _ = loop.handle(.succeeded("db"), now: Self.s(0.1))
        #expect(loop.handle(.changed(["db"]), now: Self.s(5)) == [.converge("db")])
    }

    @Test("only the hosts that changed run")
    func onlyChangedHosts() {
        var loop = ReconcileLoop(hosts: ["a", "b", "c"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        for h in ["a", "b"] { _ = loop.handle(.succeeded(h), now: Self.s(0.1)) }
        _ = loop.handle(.succeeded("c"), now: Self.s(0.2))
        #expect(loop.handle(.changed(["b"]), now: Self.s(10)) == [.converge("b")])
        #expect(loop.state(of: "a") == .converged && loop.state(of: "c") == .converged)
    }

    @Test("a change while a host runs makes it run again once the run ends, minInterval after it started")
    func changeWhileRunning() {
        var loop = ReconcileLoop(hosts: ["db"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        #expect(loop.handle(.changed(["db"]), now: Self.s(0.5)) == [], "never twice at once")
        #expect(loop.state(of: "db") == .running)
        #expect(loop.handle(.succeeded("db"), now: Self.s(0.6)) == [])
        #expect(loop.state(of: "db") == .pending)
        #expect(loop.handle(.tick, now: Self.s(1)) == [.converge("db")])
        // A slow run: the next starts as soon as it ends.
        _ = loop.handle(.changed(["db"]), now: Self.s(1.5))
        #expect(loop.handle(.succeeded("db"), now: Self.s(3)) == [.converge("db")])
    }

    @Test("a failing host is retried with doubling, capped, jittered backoff; success resets it")
    func backoff() {
        var loop = ReconcileLoop(hosts: ["db"], settings: Self.settings, now: .zero)
        var now = Duration.zero
        _ = loop.handle(.tick, now: now)
        var waits: [Duration] = []
        for _ in 0..<6 {
            _ = loop.handle(.failed("db"), now: now)
            #expect(loop.state(of: "db") == .failing)
            let next = loop.nextWakeup
            waits.append(next - now)
            #expect(loop.handle(.tick, now: next - .milliseconds(1)) == [], "not before its backoff")
            // A change does not cut the backoff short.
            #expect(loop.handle(.changed(["db"]), now: next - .milliseconds(1)) == [])
            now = next
            #expect(loop.handle(.tick, now: now) == [.converge("db")])
        }
        let full: [Duration] = [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(16), .seconds(16)]
        for (w, f) in zip(waits, full) {
            #expect(w <= f && w >= f - f / 5, "\(w) within a fifth below \(f)")
        }
        _ = loop.handle(.succeeded("db"), now: now)
        #expect(loop.state(of: "db") == .converged)
        _ = loop.handle(.changed(["db"]), now: now + .seconds(5))
        _ = loop.handle(.failed("db"), now: now + .seconds(5))
        #expect(loop.nextWakeup - (now + .seconds(5)) <= .seconds(2), "back to the first wait")
    }

    @Test("hosts failing together retry at different times")
    func jitterSpreads() {
        let names = (0..<20).map { "h\($0)" }
        var loop = ReconcileLoop(hosts: names, settings: ReconcileSettings(concurrency: 20), now: .zero)
        _ = loop.handle(.tick, now: .zero)
        var wakeups: Set<Duration> = []
        for n in names { _ = loop.handle(.failed(n), now: .seconds(1)) }
        var now = Duration.seconds(1)
        while wakeups.count < 20, now < .seconds(10) {
            let next = loop.nextWakeup
            let started = loop.handle(.tick, now: next)
            for _ in started { wakeups.insert(next) }
            now = next
        }
        #expect(wakeups.count >= 15, "\(wakeups.count) distinct retry times for 20 hosts")
    }

    @Test("a removed host gets one remove run, then is forgotten; if it fails, the removal is retried")
    func removal() {
        var loop = ReconcileLoop(hosts: ["old", "db"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        _ = loop.handle(.succeeded("old"), now: Self.s(0.1))
        _ = loop.handle(.succeeded("db"), now: Self.s(0.1))
        #expect(loop.handle(.removed(["old"]), now: Self.s(5)) == [.remove("old")])
        #expect(loop.state(of: "old") == .removing)
        _ = loop.handle(.failed("old"), now: Self.s(5.5))
        let retry = loop.nextWakeup
        #expect(loop.handle(.tick, now: retry) == [.remove("old")])
        _ = loop.handle(.succeeded("old"), now: retry + Self.s(0.1))
        #expect(loop.state(of: "old") == nil)
        #expect(loop.hostNames == ["db"])
        #expect(loop.handle(.removed(["never-known"]), now: retry + Self.s(1)) == [])
    }

    @Test("a host added back while its removal runs converges afterwards instead of being forgotten")
    func addedBackDuringRemoval() {
        var loop = ReconcileLoop(hosts: ["db"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        _ = loop.handle(.succeeded("db"), now: Self.s(0.1))
        _ = loop.handle(.removed(["db"]), now: Self.s(5))
        _ = loop.handle(.changed(["db"]), now: Self.s(5.1))
        _ = loop.handle(.succeeded("db"), now: Self.s(5.2))
        #expect(loop.state(of: "db") == .pending)
        #expect(loop.handle(.tick, now: Self.s(6)) == [.converge("db")])
    }

    @Test("every resyncInterval, every host runs (drift repair), within the concurrency limit")
    func resync() {
        var loop = ReconcileLoop(hosts: ["a", "b", "c"], settings: Self.settings, now: .zero)
        _ = loop.handle(.tick, now: .zero)
        for h in ["a", "b"] { _ = loop.handle(.succeeded(h), now: Self.s(0.1)) }
        _ = loop.handle(.succeeded("c"), now: Self.s(0.2))
        #expect(loop.nextWakeup == .seconds(600))
        #expect(loop.handle(.tick, now: .seconds(600)) == [.converge("a"), .converge("b")])
        #expect(loop.handle(.succeeded("a"), now: .seconds(601)) == [.converge("c")])
        #expect(loop.nextWakeup == .seconds(1200))
    }
}
