import ExtendCore
import ExtendInput
import ExtendKube
import Foundation
import Logging
import ServiceLifecycle

/// `extend controller`: watches the cluster and the inventory file and keeps
/// every host converged. One loop owns the engine; the watches, the inventory
/// poll, a ticker and the host runs are child tasks that report back to it
/// through one stream, so nothing else touches the engine.
///
/// Only the leader runs hosts (`Leadership`); a standby keeps its world up to
/// date and runs every host when it takes over. On SIGTERM (graceful
/// shutdown) no new run starts, the runs under way finish (each is atomic on
/// its host, under the host's own rollback), and the watches stop.
public struct ControllerService: Service {
    public struct Configuration: Sendable {
        public var inventoryPath: String
        public var reconcile: ReconcileSettings
        /// How often the inventory file is read for changes.
        public var inventoryPoll: Duration
        /// The loop's heartbeat (how soon a due host starts).
        public var tick: Duration
        /// False for a dry run: the managed hosts record is read, never written.
        public var writesRecord: Bool

        public init(inventoryPath: String, reconcile: ReconcileSettings = ReconcileSettings(),
                    inventoryPoll: Duration = .seconds(5), tick: Duration = .milliseconds(200), writesRecord: Bool = true) {
            self.inventoryPath = inventoryPath
            self.reconcile = reconcile
            self.inventoryPoll = inventoryPoll
            self.tick = tick
            self.writesRecord = writesRecord
        }
    }

    /// Where cluster changes come from: the API's watches, or a test's stream.
    public typealias ClusterSource = @Sendable (_ emit: @escaping @Sendable (ClusterWatch.Event) async -> Void) async -> Void

    let configuration: Configuration
    let inventory: Inventory
    let cluster: ClusterSource
    let runner: any HostRunner
    let events: any EventSink
    let status: ControllerStatus
    let leadership: Leadership
    let metrics = ControllerMetrics()
    let logger: Logger
    let health: (@Sendable () -> [APIResource: InformerHealth])?
    /// Where the managed hosts record is kept (nil: none; only hosts removed while running are cleaned).
    let record: (any ManagedHostsStore)?
    /// Keeps the companion NetworkPolicies (`--companions`); nil: none are written.
    let companions: CompanionReconciler?
    /// Logs the connections each change opens and closes (`--log-connection-changes`); nil: none.
    let connections: ConnectionChangeLog?

    /// - Parameter inventory: the inventory as read at start (an unreadable one stops the command before this).
    public init(configuration: Configuration, inventory: Inventory, cluster: @escaping ClusterSource, runner: any HostRunner,
                events: any EventSink, status: ControllerStatus, leadership: Leadership, logger: Logger,
                health: (@Sendable () -> [APIResource: InformerHealth])? = nil, record: (any ManagedHostsStore)? = nil,
                companions: CompanionReconciler? = nil, connections: ConnectionChangeLog? = nil) {
        self.configuration = configuration
        self.inventory = inventory
        self.cluster = cluster
        self.runner = runner
        self.events = events
        self.status = status
        self.leadership = leadership
        self.logger = logger
        self.health = health
        self.record = record
        self.companions = companions
        self.connections = connections
    }

    enum Input: Sendable {
        case watch(ClusterWatch.Event)
        case inventory(Inventory)
        case inventoryRejected(String)
        case done(HostResult)
        case tick
        case shutdown
    }

    public func run() async throws {
        let (stream, input) = AsyncStream<Input>.makeStream()
        let started = ContinuousClock.now
        func now() -> Duration { ContinuousClock.now - started }
        let engine = ControllerEngine(inventory: inventory, settings: configuration.reconcile,
                                      extraGuard: ControllerGuard.sources(towards: inventory.hosts))
        let watchedFile = InventoryFile(path: configuration.inventoryPath)
        let tick = configuration.tick, poll = configuration.inventoryPoll
        runner.inventory(inventory.hosts)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await cluster { input.yield(.watch($0)) } }
                group.addTask { await runner.maintain() }
                if let companions { group.addTask { await companions.run() } }
                if let connections { group.addTask { await connections.run() } }
                group.addTask {
                    while (try? await Task.sleep(for: poll)) != nil {
                        switch watchedFile.check() {
                        case .unchanged: break
                        case .changed(let inv): input.yield(.inventory(inv))
                        case .rejected(let why): input.yield(.inventoryRejected(why))
                        }
                    }
                }
                group.addTask {
                    while (try? await Task.sleep(for: tick)) != nil { input.yield(.tick) }
                }
                var loop = Loop(service: self, engine: engine)
                for await event in stream {
                    let runs = await loop.handle(event, now: now())
                    for run in runs {
                        group.addTask {
                            let result = await runner.run(run)
                            input.yield(.done(result))
                        }
                    }
                    if loop.stopping && loop.running == 0 { break }
                }
                input.finish()
                group.cancelAll()
            }
            // No run is under way any more: what the runner keeps (SSH connections) goes.
            await runner.stop()
        } onGracefulShutdown: {
            input.yield(.shutdown)
        }
        logger.info("controller stopped")
    }

    /// The loop's own state: what runs, whether it leads, whether it stops.
    struct Loop {
        let service: ControllerService
        let engine: ControllerEngine
        var running = 0
        var stopping = false
        var leading = false
        var rejected: String?
        /// When the engine last dropped what it kept of deleted objects.
        var compacted: Duration = .zero
        /// The managed hosts record (`ControllerService+Record`).
        var book = RecordBook()
        /// Runs waiting until their hosts are in the record.
        var held: [ControllerEngine.Run] = []
        /// Failures to read or write the record in a row, and when to try again.
        var recordFailures = 0
        var recordRetryAt: Duration = .zero
        /// What is wrong with the record now, as last reported.
        var recordProblem: String?

        init(service: ControllerService, engine: ControllerEngine) {
            self.service = service
            self.engine = engine
            leading = service.leadership.isLeader
            service.status.update { [leading] in $0.leader = leading }
            service.metrics.leader(leading)
        }

        var logger: Logger { service.logger }

        mutating func handle(_ event: Input, now: Duration) async -> [ControllerEngine.Run] {
            var runs: [ControllerEngine.Run]
            switch event {
            case .watch(.batch(let b)):
                for p in b.problems {
                    logger.warning("\(p)")
                }
                let t = ContinuousClock.now
                runs = engine.handle(.cluster(b.changes), now: now)
                if engine.isSynced && !b.changes.isEmpty { service.metrics.reconcile(ContinuousClock.now - t) }
            case .watch(.synced):
                let t = ContinuousClock.now
                runs = engine.handle(.synced, now: now)
                let c = engine.clusterCounts
                logger.info("cluster synced: \(c.namespaces) namespace(s), \(c.pods) pod(s), \(c.policies) policies; \(engine.hostNames.count) host(s) in \(ContinuousClock.now - t)")
                for p in engine.problems { logger.warning("\(p)") }
            case .inventory(let inv):
                logger.info("inventory \(service.configuration.inventoryPath) changed: \(inv.hosts.count) host(s)")
                service.metrics.inventoryLoaded()
                service.runner.inventory(inv.hosts)
                if rejected != nil {
                    rejected = nil
                    service.status.update { $0.problems.removeAll { $0.hasPrefix("inventory") } }
                }
                runs = engine.handle(.inventory(inv), now: now)
            case .inventoryRejected(let why):
                runs = []
                if rejected != why {
                    rejected = why
                    logger.error("\(why)")
                    service.metrics.inventoryRejected()
                    service.status.update { s in
                        s.problems.removeAll { $0.hasPrefix("inventory") }
                        s.problems.append("inventory rejected: \(why)")
                    }
                    await service.events.record(ControllerEvent(.warning, reason: "InventoryRejected", message: why,
                                                                regarding: "inventory \(service.configuration.inventoryPath)"))
                }
            case .done(let r):
                running -= 1
                service.metrics.hostRun(r)
                let removing = engine.state(of: r.host) == .removing
                switch r.outcome {
                case .failed:
                    logger.error("\(r.message)")
                    await service.events.record(ControllerEvent(.warning, reason: "HostFailed", message: r.message, regarding: "host \(r.host)"))
                case .changed, .planned: logger.info("\(r.message)")
                case .inSync: logger.debug("\(r.message)")
                }
                runs = engine.handle(.hostDone(r.host, succeeded: r.succeeded), now: now)
                // Removed and forgotten: out of the managed hosts record.
                if r.succeeded && removing && engine.state(of: r.host) == nil { book.drop(r.host) }
            case .tick:
                let leads = service.leadership.isLeader
                if leads != leading {
                    leading = leads
                    service.metrics.leader(leads)
                    service.status.update { $0.leader = leads }
                    logger.notice(leads ? "leading: this replica works on the hosts" : "not leading: this replica only watches")
                    runs = leads ? engine.handle(.runAll, now: now) : []
                } else {
                    runs = engine.handle(.tick, now: now)
                }
                // With every resync: drop the sets and memos of deleted policies and namespaces.
                if engine.isSynced && now - compacted >= service.configuration.reconcile.resyncInterval {
                    compacted = now
                    let t = ContinuousClock.now
                    let dropped = engine.compact()
                    logger.info("compacted the engine: \(dropped) stale set(s) dropped in \(ContinuousClock.now - t)")
                }
                report()
            case .shutdown:
                logger.notice("shutting down: \(running) host run(s) under way finish; no new run starts")
                stopping = true
                runs = []
            }
            offerCompanions(after: event)
            offerConnections(after: event)
            guard !stopping else { return [] }
            guard leading else {
                // A standby keeps its world; the runs are done when it takes over (runAll).
                for r in held + runs { _ = engine.handle(.skipped(r.host.name), now: now) }
                held = []
                // The next leader, this one or another, reads the record afresh.
                book.unload()
                return []
            }
            let started = await recorded(runs, now: now)
            running += started.count
            return started
        }

        /// Status and metrics, once per tick.
        private func report() {
            var counts: [String: Int] = [:]
            for h in engine.hostNames { if let s = engine.state(of: h) { counts[s.rawValue, default: 0] += 1 } }
            service.metrics.hostStates(counts)
            var failing: [String] = []
            for (resource, h) in service.health?() ?? [:] {
                service.metrics.watch(resource: resource.name, restarts: h.watchRestarts, relists: h.relists, synced: h.synced)
                // What is wrong while a watch cannot do its job (a rejected token, a forbidden watch).
                if h.consecutiveFailures > 0, let e = h.lastError { failing.append("watch \(resource.name): \(e)") }
            }
            let synced = engine.isSynced, done = engine.firstReconcileDone
            service.status.update {
                $0.synced = synced
                $0.firstReconcileDone = done
                $0.problems.removeAll { $0.hasPrefix("watch ") }
                $0.problems += failing.sorted()
            }
        }
    }
}
