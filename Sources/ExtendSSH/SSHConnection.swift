import Foundation
import Logging

/// One authenticated SSH connection to one host, over libssh2.
///
/// Every method blocks the calling thread on network I/O: call them from a
/// thread of your own, never from Swift's cooperative pool (`SSHTransport`
/// does that for async callers). Calls are serialised; `cancel()` may be
/// called from any thread at any time.
///
/// After a timeout, a cancellation or a transport failure the connection is
/// closed and every later call throws `.closed`: connect again.
public final class SSHConnection: @unchecked Sendable {
    public let endpoint: SSHEndpoint
    /// The address our side of the socket is bound to: what the host sees us as.
    public let localAddress: String
    /// The key exchange method negotiated (we prefer curve25519-sha256).
    public let keyExchange: String
    /// The host key algorithm negotiated.
    public let hostKeyAlgorithm: String
    /// How we authenticated, e.g. `key file /root/.ssh/id_ed25519` or `ssh-agent key "comment"`.
    public let authentication: String

    let logger: Logger
    let wake: WakePipe
    /// Guards `session` and `closedBecause`, and serialises the calls that use the session.
    let lock = NSLock()
    /// `nil` once the connection is closed.
    var session: LibSSH2Session?
    var closedBecause = ""

    public static let defaultLogger = Logger(label: "netpol-extend.ssh")

    init(
        endpoint: SSHEndpoint, session: LibSSH2Session, wake: WakePipe, logger: Logger,
        keyExchange: String, hostKeyAlgorithm: String, authentication: String
    ) {
        self.endpoint = endpoint
        self.session = session
        self.wake = wake
        self.logger = logger
        self.localAddress = session.socket.localAddress
        self.keyExchange = keyExchange
        self.hostKeyAlgorithm = hostKeyAlgorithm
        self.authentication = authentication
    }

    /// Connects, verifies the host key against `endpoint.knownHostsFile` and
    /// authenticates, all within `endpoint.connectTimeout`.
    public static func connect(
        _ endpoint: SSHEndpoint, logger: Logger = SSHConnection.defaultLogger
    ) throws(SSHError) -> SSHConnection {
        guard let wake = WakePipe() else {
            throw SSHError(.configuration, host: endpoint.label,
                "cannot create a wake-up pipe to connect to \(endpoint.label): \(systemErrorText(errno))")
        }
        return try establish(endpoint, logger: logger, wake: wake)
    }

    public var isOpen: Bool {
        lock.lock()
        defer { lock.unlock() }
        return session != nil && !wake.isSignalled
    }

    /// Interrupts whatever this connection is doing, from any thread; the
    /// interrupted call throws `.cancelled` and the connection is closed.
    public func cancel() {
        wake.signal()
    }

    /// Says goodbye to the server (waiting at most a second) and releases
    /// everything. Safe to call more than once.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard let session else { return }
        self.session = nil
        closedBecause = "it was closed"
        let driver = SessionDriver(
            session: session, wake: wake, deadline: .now + .seconds(1), limit: .seconds(1))
        _ = try? driver.perform(.closed, "disconnecting from") {
            session.disconnect("netpol-extend is done")
        }
        logger.debug("closed SSH connection", metadata: ["host": "\(endpoint.label)"])
    }

    /// Sends an SSH keepalive if `endpoint.keepaliveInterval` has passed since
    /// the last one; returns how long until the next is due. For connections
    /// held open while idle.
    public func sendKeepalive() throws(SSHError) -> Duration {
        lock.lock()
        defer { lock.unlock() }
        let session = try openSession()
        switch session.sendKeepalive() {
        case .done(let seconds):
            return .seconds(seconds)
        case .again:
            // An idle connection whose send buffer is full is congested or
            // dead; and libssh2 cannot resume a half-sent keepalive.
            let error = SSHError(.closed, host: endpoint.label,
                "sending a keepalive to \(endpoint.label) would block: the connection is congested or dead")
            abandon(because: error)
            throw error
        case .failed(let code):
            let error = session.failure(code, .closed, "sending a keepalive to")
            abandon(because: error)
            throw error
        }
    }

    /// The live session, or the reason there is none. Call with `lock` held.
    func openSession() throws(SSHError) -> LibSSH2Session {
        if wake.isSignalled, session != nil {
            abandon(because: SSHError(.cancelled, host: endpoint.label,
                "the connection to \(endpoint.label) was cancelled"))
        }
        guard let session else {
            throw SSHError(.closed, host: endpoint.label,
                "the connection to \(endpoint.label) is closed: \(closedBecause)")
        }
        return session
    }

    /// Drops the session after a failure that leaves its state unknown. Call with `lock` held.
    func abandon(because error: SSHError) {
        guard session != nil else { return }
        session = nil
        closedBecause = error.message
        logger.debug("dropped SSH connection", metadata: [
            "host": "\(endpoint.label)", "reason": "\(error.message)",
        ])
    }
}
