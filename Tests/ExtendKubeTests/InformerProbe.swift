import ExtendCore
import Foundation
import Testing
@testable import ExtendKube

/// What an informer (or a ClusterWatch) handed on during a test, and a way
/// to wait for something to arrive.
final class InformerProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var _batches: [InformerBatch] = []
    private var _allSynced = 0

    var batches: [InformerBatch] { lock.withLock { _batches } }
    var allSynced: Int { lock.withLock { _allSynced } }

    func add(_ batch: InformerBatch) { lock.withLock { _batches.append(batch) } }

    func add(_ event: ClusterWatch.Event) {
        switch event {
        case .batch(let b): add(b)
        case .synced: lock.withLock { _allSynced += 1 }
        }
    }

    /// Changes handed on by watches (not lists).
    var watchChanges: [ClusterChange] { batches.filter { $0.marker == nil }.flatMap(\.changes) }

    /// The state a consumer holds after applying every change, by `kind namespace/name`.
    var state: [String: ClusterChange] {
        var out: [String: ClusterChange] = [:]
        for change in batches.flatMap(\.changes) {
            switch change {
            case .pod(let p): out["pod \(p.namespace)/\(p.name)"] = change
            case .podDeleted(let ns, let name): out["pod \(ns)/\(name)"] = nil
            case .namespace(let n): out["namespace \(n.name)"] = change
            case .namespaceDeleted(let name): out["namespace \(name)"] = nil
            case .policy(let p): out["policy \(p.namespace)/\(p.name)"] = change
            case .policyDeleted(let ns, let name): out["policy \(ns)/\(name)"] = nil
            default: break
            }
        }
        return out
    }

    /// Polls until `condition` holds; fails the test (and throws) after `timeout`.
    func wait(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw ProbeTimeout(description: "timed out waiting for \(what); batches: \(batches.map { "\($0.resource) \($0.marker.map { "\($0)" } ?? "watch") \($0.changes.count)" })")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs `informer` while `body` runs, then cancels it.
    static func running<T: Sendable>(_ informer: Informer, _ body: (InformerProbe) async throws -> T) async throws -> T {
        let probe = InformerProbe()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run { probe.add($0) } }
            defer { group.cancelAll() }
            return try await body(probe)
        }
    }

    static func running<T: Sendable>(_ watch: ClusterWatch, _ body: (InformerProbe) async throws -> T) async throws -> T {
        let probe = InformerProbe()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watch.run { probe.add($0) } }
            defer { group.cancelAll() }
            return try await body(probe)
        }
    }
}

struct ProbeTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Records the informer's backoff waits, then really waits (tests watch the request log's times).
final class RecordedSleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var _waits: [Duration] = []
    var waits: [Duration] { lock.withLock { _waits } }

    func policy(base: Duration = .milliseconds(50), max: Duration = .seconds(5)) -> RetryPolicy {
        RetryPolicy(maxAttempts: 3, baseDelay: base, maxDelay: max, jitter: { 0 }, sleep: { [self] d in
            lock.withLock { _waits.append(d) }
            try? await Task.sleep(for: d)
        })
    }
}
