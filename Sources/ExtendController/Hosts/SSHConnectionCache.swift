import ExtendCore
import ExtendSSH
import Logging
import Synchronization

/// The SSH connections the controller keeps open between a host's runs
/// (`KeptConnections` decides which). Blocking SSH work (a close, a
/// keepalive) happens on the caller's thread for `take`/`give` (a host run's
/// own thread) and on threads of its own for the rest, never on Swift's
/// cooperative pool.
public final class SSHConnectionCache: Sendable {
    private struct State {
        var kept: KeptConnections<SSHConnection>
        /// Closed off a run's thread (inventory changes): the next maintenance pass closes them.
        var toClose: [(SSHConnection, KeptConnections<SSHConnection>.Reason)] = []
    }

    private let state: Mutex<State>
    private let started = ContinuousClock.now
    private let metrics: ControllerMetrics
    private let logger: Logger

    /// - Parameter idleLimit: a connection unused this long is closed.
    public init(idleLimit: Duration, metrics: ControllerMetrics = ControllerMetrics(), logger: Logger) {
        state = Mutex(State(kept: KeptConnections(idleLimit: idleLimit)))
        self.metrics = metrics
        self.logger = logger
    }

    private var now: Duration { ContinuousClock.now - started }

    /// How many connections are kept (idle) now.
    public var count: Int { state.withLock { $0.kept.count } }

    /// The kept connection for a run of `host`, if one is fit. Blocking: call from the run's thread.
    public func take(_ host: LegacyHost) -> SSHConnection? {
        let (reuse, close) = state.withLock { $0.kept.take(host.name, key: .init(host)) }
        closeNow(close)
        return reuse
    }

    /// A run of `host` ended; `connection` is fit to keep (nil: none). Blocking: call from the run's thread.
    public func give(_ host: LegacyHost, _ connection: SSHConnection?) {
        let when = now
        let close = state.withLock { $0.kept.give(host.name, key: .init(host), connection: connection, idleSince: when) }
        closeNow(close)
    }

    /// The inventory changed: hosts gone or reached otherwise lose their
    /// connection (closed by the next maintenance pass, off the caller's thread).
    public func inventory(_ hosts: [LegacyHost]) {
        let keys = Dictionary(hosts.map { ($0.name, KeptConnections<SSHConnection>.Key($0)) }, uniquingKeysWith: { a, _ in a })
        state.withLock { s in s.toClose += s.kept.inventory(keys) }
    }

    /// Every `every`: closes the connections idle too long and those the
    /// inventory dropped, and sends keepalives on the others (libssh2 sends
    /// one when the endpoint's keepalive interval has passed since the last)
    /// so that no NAT or firewall forgets them. Until cancelled.
    public func maintain(every: Duration) async {
        while (try? await Task.sleep(for: every)) != nil {
            _ = try? await SSHTransport.offload(name: "ssh keepalives") { self.pass() }
        }
    }

    /// Closes every kept connection (saying goodbye to each sshd) and keeps
    /// none after: at shutdown, once no run is under way.
    public func stop() async {
        let all = state.withLock { s in
            let out = s.toClose + s.kept.stop()
            s.toClose = []
            return out
        }
        guard !all.isEmpty else { return }
        logger.info("closing \(all.count) kept SSH connection(s)")
        // Each goodbye waits at most a second; a dead host must not hold up the others.
        await withTaskGroup(of: Void.self) { group in
            for c in all { group.addTask { _ = try? await SSHTransport.offload(name: "ssh close") { self.closeNow([c]) } } }
        }
    }

    /// One maintenance pass, blocking.
    func pass() {
        let when = now
        let close = state.withLock { s in
            let out = s.toClose + s.kept.expire(now: when)
            s.toClose = []
            return out
        }
        closeNow(close)
        let idle = state.withLock { $0.kept.takeIdle() }
        for c in idle {
            var fit: SSHConnection? = c.connection
            do {
                _ = try c.connection.sendKeepalive()
            } catch {
                logger.debug("kept SSH connection failed its keepalive", metadata: ["host": "\(c.host)", "reason": "\(error.message)"])
                fit = nil
                closeNow([(c.connection, .failed)])
            }
            let back = state.withLock { $0.kept.give(c.host, key: c.key, connection: fit, idleSince: c.idleSince) }
            closeNow(back)
        }
    }

    /// Counts a run's connections: those it established, and whether it reused a kept one.
    func count(_ run: KeptConnectionRun) {
        metrics.sshConnections(opened: run.opened, reused: run.reused)
        // A kept connection that failed before anything was sent, or whose run failed.
        if run.dropped != nil || (run.reused && run.keep == nil) {
            metrics.sshConnectionClosed(KeptConnections<SSHConnection>.Reason.failed)
        }
    }

    private func closeNow(_ connections: [(SSHConnection, KeptConnections<SSHConnection>.Reason)]) {
        for (c, reason) in connections {
            c.close()
            metrics.sshConnectionClosed(reason)
            logger.debug("closed kept SSH connection", metadata: ["host": "\(c.endpoint.label)", "reason": "\(reason.rawValue)"])
        }
    }
}
