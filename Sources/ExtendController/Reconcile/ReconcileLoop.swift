/// What the controller does next, decided from what happened: events in,
/// actions out. Pure: time comes in with every event (an injected clock), and
/// the service that owns the loop does the I/O (SSH to hosts) and reports back.
///
/// - A host whose desired state changed is run once `minInterval` has passed
///   since its last run started: a burst of changes coalesces into one run.
/// - Only hosts whose desired state changed are run, apart from the resync,
///   which runs every host every `resyncInterval` to repair drift.
/// - A failed host is retried after `retryBase`, doubling up to `retryCap`,
///   with jitter so that hosts failing together do not retry together.
/// - A host removed from the inventory is run once more, to remove our rules
///   (as `apply` does), and then forgotten.
/// - At most `concurrency` hosts run at once; a host is never run twice at once.
public struct ReconcileLoop: Sendable {
    /// Time as the controller's clock gives it: a duration since it started.
    public typealias Instant = Duration

    public enum Event: Sendable, Equatable {
        /// These hosts' desired state changed (the incremental compiler's answer).
        case changed([String])
        /// These hosts left the inventory: our rules must go.
        case removed([String])
        /// These hosts left the inventory before the loop knew them (the
        /// managed hosts record lists them): our rules must go all the same.
        case retired([String])
        /// The host's run ended: its rules are in place (or gone, for a removed host).
        case succeeded(String)
        /// The host's run failed; nothing was left half-applied (the host rolls back).
        case failed(String)
        /// Nothing happened, but time passed (the service wakes at `nextWakeup`).
        case tick
    }

    public enum Action: Sendable, Equatable {
        /// Read the host, plan, and apply its desired state.
        case converge(String)
        /// Remove everything of ours from the host.
        case remove(String)
    }

    /// Why a host is waiting, for metrics and logs.
    public enum HostState: String, Sendable, Equatable {
        case converged, pending, running, failing, removing
    }

    private struct Host: Sendable {
        var due: Instant?
        var running = false
        var lastStart: Instant?
        var failures = 0
        var removing = false
        /// Changed again while running: due once the run ends.
        var changedWhileRunning = false
    }

    public let settings: ReconcileSettings
    private var hosts: [String: Host] = [:]
    private var nextResync: Instant

    /// - Parameter hosts: every host in the inventory at start; each is run
    ///   once at start (the first full reconcile).
    public init(hosts: [String], settings: ReconcileSettings, now: Instant) {
        self.settings = settings
        nextResync = now + settings.resyncInterval
        for h in hosts { self.hosts[h] = Host(due: now) }
    }

    /// Takes an event at `now`; returns the runs to start now.
    public mutating func handle(_ event: Event, now: Instant) -> [Action] {
        switch event {
        case .changed(let names):
            for n in names { markChanged(n, now: now, removing: false) }
        case .removed(let names):
            for n in names where hosts[n] != nil { markChanged(n, now: now, removing: true) }
        case .retired(let names):
            for n in names where hosts[n] == nil { markChanged(n, now: now, removing: true) }
        case .succeeded(let n):
            guard var h = hosts[n], h.running else { break }
            h.running = false
            h.failures = 0
            if h.removing && !h.changedWhileRunning {
                hosts[n] = nil
                break
            }
            if h.changedWhileRunning {
                h.changedWhileRunning = false
                h.due = max(now, (h.lastStart ?? now) + settings.minInterval)
            }
            hosts[n] = h
        case .failed(let n):
            guard var h = hosts[n], h.running else { break }
            h.running = false
            h.failures += 1
            h.changedWhileRunning = false
            h.due = now + backoff(n, failures: h.failures)
            hosts[n] = h
        case .tick:
            break
        }
        if now >= nextResync {
            nextResync = now + settings.resyncInterval
            for n in hosts.keys { markChanged(n, now: now, removing: hosts[n]?.removing ?? false, coalesce: false) }
        }
        return start(now: now)
    }

    /// When the service should wake up (send `.tick`) if nothing happens before.
    public var nextWakeup: Instant {
        let due = hosts.values.compactMap { $0.running ? nil : $0.due }.min()
        return due.map { min($0, nextResync) } ?? nextResync
    }

    public func state(of name: String) -> HostState? {
        guard let h = hosts[name] else { return nil }
        if h.running { return h.removing ? .removing : .running }
        if h.removing { return .removing }
        if h.failures > 0 { return .failing }
        return h.due == nil ? .converged : .pending
    }

    /// Hosts known to the loop (in the inventory, or being removed), sorted.
    public var hostNames: [String] { hosts.keys.sorted() }

    public var running: Int { hosts.values.filter(\.running).count }

    private mutating func markChanged(_ n: String, now: Instant, removing: Bool, coalesce: Bool = true) {
        var h = hosts[n] ?? Host()
        h.removing = removing
        if h.running {
            h.changedWhileRunning = true
        } else if h.failures > 0, let due = h.due {
            // A failing host waits out its backoff; the change rides along.
            h.due = due
        } else {
            let earliest = coalesce ? (h.lastStart.map { $0 + settings.minInterval } ?? now) : now
            h.due = min(h.due ?? .seconds(Int64.max), max(now, earliest))
        }
        hosts[n] = h
    }

    /// Starts the hosts that are due, earliest first, within the concurrency limit.
    private mutating func start(now: Instant) -> [Action] {
        var free = settings.concurrency - running
        guard free > 0 else { return [] }
        var due = hosts.compactMap { e -> (due: Instant, name: String)? in
            guard !e.value.running, let d = e.value.due, d <= now else { return nil }
            return (d, e.key)
        }
        // The earliest `free` of them, by (due, name): picked one at a time,
        // not by sorting all (a run ending starts one more; after a sync,
        // sorting a thousand due hosts at every run's end was a tenth of the planning).
        var picked: [String] = []
        while free > picked.count, !due.isEmpty {
            var first = 0
            for i in due.indices.dropFirst() where (due[i].due, due[i].name) < (due[first].due, due[first].name) { first = i }
            picked.append(due[first].name)
            due.swapAt(first, due.count - 1)
            due.removeLast()
        }
        var out: [Action] = []
        for n in picked {
            guard var h = hosts[n] else { continue }
            h.running = true
            h.due = nil
            h.lastStart = now
            hosts[n] = h
            out.append(h.removing ? .remove(n) : .converge(n))
            free -= 1
        }
        return out
    }

    /// retryBase × 2^(failures-1), capped, less up to a fifth of it: the
    /// jitter comes from the host's name and the attempt, so the loop stays
    /// deterministic while hosts that failed together spread out.
    func backoff(_ name: String, failures: Int) -> Duration {
        let doubled = settings.retryBase * (1 << min(failures - 1, 30))
        let full = min(doubled, settings.retryCap)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        hash = (hash ^ UInt64(failures)) &* 0x100_0000_01b3
        let fifth = full / 5
        return full - fifth * (Double(hash % 1000) / 1000)
    }
}
