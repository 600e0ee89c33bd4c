/// Everything that can go wrong between us and one host, as a value.
///
/// `message` is a complete sentence that names the host by name and
/// `address:port`; `description` is the message. Messages never contain a key
/// passphrase or the data sent on stdin.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// Where in the life of a connection the failure happened.
    public enum Stage: String, Sendable, CaseIterable {
        /// The endpoint or a local file it names is unusable (nothing was sent).
        case configuration
        /// The address did not resolve.
        case resolve
        /// The TCP connection failed (refused, unreachable).
        case connect
        /// The SSH handshake (banner, key exchange) failed.
        case handshake
        /// The server's host key is unknown, different or revoked.
        case hostKey
        /// The server accepted none of our credentials.
        case auth
        /// A session channel could not be opened.
        case channel
        /// Starting the command, or moving its input and output, failed.
        case exec
        /// A deadline (connect or command timeout) passed.
        case timeout
        /// The caller cancelled the work in flight.
        case cancelled
        /// The connection was already closed, or closed under us.
        case closed
        /// A netpol-extend command on the host failed or answered unexpectedly.
        case remote
        /// The apply could not be confirmed; the host restores its previous rules by itself.
        case unconfirmed
    }

    /// The host as `name (address:port)`.
    public let host: String
    public let stage: Stage
    public let message: String
    /// The libssh2 error code when libssh2 reported the failure.
    public let code: Int32?

    init(_ stage: Stage, host: String, _ message: String, code: Int32? = nil) {
        assert(message.contains(host), "SSHError messages name their host: \(message)")
        self.host = host
        self.stage = stage
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
