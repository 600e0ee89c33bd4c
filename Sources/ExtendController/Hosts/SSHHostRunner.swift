import ExtendCore
import ExtendSSH
import Logging

/// Runs a host over SSH with the same agent as `extend apply`: one atomic
/// change under the host's own rollback, confirmed over a fresh connection.
/// The blocking libssh2 work runs on a thread of its own.
public struct SSHHostRunner: HostRunner {
    public var rollbackAfter: Int
    public var logger: Logger

    public init(rollbackAfter: Int = 30, logger: Logger) {
        self.rollbackAfter = rollbackAfter
        self.logger = logger
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
        let report: HostReport, counters: AuditCounters?
        do {
            // Then, over a connection of its own, the counters (for /metrics): a host that cannot be read
            // now keeps its last values there; the run's outcome is the apply's alone.
            let done = try await SSHTransport.offload(name: "host \(h.name)") { () -> (HostReport, AuditCounters?) in
                let report = agent.apply()
                guard !report.failed, !removing else { return (report, nil) }
                return (report, try? agent.readCounters(reset: false).counters.get())
            }
            report = done.0
            counters = done.1
        } catch {
            return HostResult(host: h.name, outcome: .failed, message: "host \(h.name): the worker thread failed: \(error)",
                              duration: ContinuousClock.now - started)
        }
        let outcome: HostResult.Outcome = report.failed ? .failed : (report.status == .inSync ? .inSync : .changed)
        return HostResult(host: h.name, outcome: outcome, message: "host \(h.name): \(report.message)", duration: ContinuousClock.now - started,
                          counters: counters)
    }
}
