import ExtendController
import ExtendKube
import Foundation
import KubeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Helpers for tests against the stand-in API server: a client for its
/// kubeconfig, and replicas that each run a `LeaderElectionService` in
/// their own `ServiceGroup`, as separate controller processes would.
enum Live {
    static let namespace = "netpol-extend"
    static let leaseName = "netpol-extend"

    static func client(_ server: FakeAPIServer, timeout: Duration = .seconds(2)) throws -> APIClient {
        let config = try KubeconfigLoader.load(file: server.kubeconfig, context: nil)
        // The election retries every retry period itself; the client tries once, briefly.
        return APIClient(config: config, retry: RetryPolicy(maxAttempts: 1),
                         timeouts: Timeouts(connect: .seconds(2), request: timeout), logger: Logger(label: "test.kube"))
    }

    static func createNamespace(_ server: FakeAPIServer) throws {
        try server.create("/api/v1/namespaces", object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": namespace]])
    }

    static let shortSettings = (lease: Duration.seconds(3), renew: Duration.seconds(2), retry: Duration.milliseconds(500))
}

/// Events a replica recorded, in order.
final class RecordedEvents: EventSink {
    private let events = Mutex<[ControllerEvent]>([])
    func record(_ event: ControllerEvent) async { events.withLock { $0.append(event) } }
    var all: [ControllerEvent] { events.withLock { $0 } }
}

/// One controller replica: its election service in its own ServiceGroup,
/// run by a task the test can cancel (a crash) or shut down gracefully (SIGTERM).
final class Replica: Sendable {
    let identity: String
    let leadership = Leadership(leading: false)
    let status = ElectionStatus()
    let events = RecordedEvents()
    let group: ServiceGroup
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ identity: String, server: FakeAPIServer, requestTimeout: Duration = .seconds(2)) throws {
        self.identity = identity
        let s = Live.shortSettings
        var logger = Logger(label: "test.election.\(identity)")
        logger.logLevel = .warning
        let service = LeaderElectionService(
            settings: .init(identity: identity, leaseDuration: s.lease, renewDeadline: s.renew, retryPeriod: s.retry),
            store: LeaseClient(client: try Live.client(server, timeout: requestTimeout), namespace: Live.namespace, name: Live.leaseName),
            leadership: leadership, events: events, regarding: "lease \(Live.namespace)/\(Live.leaseName)", logger: logger,
            status: status)
        group = ServiceGroup(services: [service], logger: logger)
    }

    var leads: Bool { leadership.isLeader }

    func start() {
        let group = self.group
        task.withLock { $0 = Task { try? await group.run() } }
    }

    /// Graceful shutdown, as on SIGTERM: the leader releases the Lease.
    func shutDown() async {
        await group.triggerGracefulShutdown()
        let t = task.withLock { $0 }
        await t?.value
    }

    /// Cancelled without graceful shutdown: stops without writing, as a crash would.
    func kill() async {
        let t = task.withLock { $0 }
        t?.cancel()
        await t?.value
    }
}

/// Replicas started for one test, always stopped at its end (even when it throws).
enum Replicas {
    static func with<T>(_ identities: [String], server: FakeAPIServer, requestTimeout: Duration = .seconds(2),
                        _ body: ([Replica]) async throws -> T) async throws -> T {
        let replicas = try identities.map { try Replica($0, server: server, requestTimeout: requestTimeout) }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(replicas))
        } catch {
            result = .failure(error)
        }
        for r in replicas { await r.kill() }
        return try result.get()
    }
}

/// Samples who leads every `every` until `until` says stop or `limit`
/// passes; counts moments with two or more leaders.
struct LeaderSampler {
    var samples = 0
    var doubleLeaders: [String] = []

    /// Returns the elapsed time when `until` first held, or nil at the limit.
    @discardableResult
    mutating func run(_ replicas: [Replica], limit: Duration, every: Duration = .milliseconds(20),
                      until: ([Replica]) -> Bool = { _ in false }) async -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while start.duration(to: clock.now) < limit {
            let leaders = replicas.filter(\.leads).map(\.identity)
            samples += 1
            if leaders.count > 1 { doubleLeaders.append("\(start.duration(to: clock.now)): \(leaders)") }
            if until(replicas) { return start.duration(to: clock.now) }
            try? await Task.sleep(for: every)
        }
        return nil
    }
}
