import ExtendCore
import ExtendSSH
import Logging

/// Runs a host over SSH with the same agent as `extend apply`: one atomic
/// change under the host's own rollback, confirmed over a fresh connection.
/// The blocking libssh2 work runs on a thread of its own.
///
/// Each host's connection is kept open between its runs (`connections`):
/// a run's first session goes over the one its last run left, the
/// confirmation's fresh connection is the one kept next (a change of set
/// members alone in restricted mode is confirmed over the first connection,
/// which is then kept: `HostAgent.confirmsOverOpenConnection`). A run for a host
/// that left the inventory closes its connection when done.
public struct SSHHostRunner: HostRunner {
    public var rollbackAfter: Int
    public var logger: Logger
    public let connections: SSHConnectionCache
    /// How often kept connections are checked (idle limit, keepalives).
    public var maintenance: Duration

    /// - Parameter idleLimit: a connection unused this long is closed
    ///   (the controller passes a few resync intervals: a leader's resync
    ///   keeps every host's connection in use).
    public init(rollbackAfter: Int = 30, idleLimit: Duration = .seconds(1800), maintenance: Duration = .seconds(5),
                metrics: ControllerMetrics = ControllerMetrics(), logger: Logger) {
        self.rollbackAfter = rollbackAfter
        self.logger = logger
        self.maintenance = maintenance
        connections = SSHConnectionCache(idleLimit: idleLimit, metrics: metrics, logger: logger)
    }

    public func run(_ run: ControllerEngine.Run) async -> HostResult {
        let h = run.host
        let removing = run.kind == .remove
        let agent = HostAgent.make(name: h.name, ssh: h.ssh, connect: h.connectAddress, management: removing ? [] : h.management,
                                   persist: removing ? false : h.persist, rollbackAfter: rollbackAfter, logger: logger) { _ in
            // Compiled with the controller's own addresses in every guard (ControllerGuard).
            run.desired
        }
        let started = ContinuousClock.now
        let cache = connections
        let report: HostReport, counters: AuditCounters?
        do {
            (report, counters) = try await SSHTransport.offload(name: "host \(h.name)") { () -> (HostReport, AuditCounters?) in
                let done = agent.apply(over: cache.take(h))
                cache.count(done)
                // A host that left the inventory has no next run.
                guard !removing, let kept = done.keep else {
                    done.keep?.close()
                    cache.give(h, nil)
                    return (done.report, nil)
                }
                // Then the counters (for /metrics), over the connection kept for the next run: a host that
                // cannot be read now keeps its last values there, and the run's outcome is the apply's alone.
                // The kernel log's denied flows are extend audit's; /metrics has no use for them.
                let reading = agent.readCounters(reset: false, over: kept, dropLog: false)
                switch reading.counters {
                case .success(let counters):
                    cache.give(h, kept)
                    return (done.report, counters)
                case .failure:
                    // The connection may be what failed: the next run starts on a fresh one.
                    kept.close()
                    cache.give(h, nil)
                    return (done.report, nil)
                }
            }
        } catch {
            return HostResult(host: h.name, outcome: .failed, message: "host \(h.name): the worker thread failed: \(error)",
                              duration: ContinuousClock.now - started)
        }
        let outcome: HostResult.Outcome = report.failed ? .failed : (report.status == .inSync ? .inSync : .changed)
        return HostResult(host: h.name, outcome: outcome, message: "host \(h.name): \(report.message)", duration: ContinuousClock.now - started,
                          counters: counters)
    }

    public func inventory(_ hosts: [LegacyHost]) {
        connections.inventory(hosts)
    }

    public func maintain() async {
        await connections.maintain(every: maintenance)
    }

    public func stop() async {
        await connections.stop()
    }
}
