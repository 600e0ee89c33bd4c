internal import CLibSSH2

/// Owns one `LIBSSH2_AGENT`: a connection to an ssh-agent socket.
final class LibSSH2Agent {
    private let raw: OpaquePointer
    /// Keeps the session alive as long as the agent handle.
    private let session: LibSSH2Session
    private var connected = false

    init(raw: OpaquePointer, session: LibSSH2Session) {
        self.raw = raw
        self.session = session
    }

    deinit {
        if connected { _ = libssh2_agent_disconnect(raw) }
        libssh2_agent_free(raw)
    }

    /// Connects to the socket set at creation.
    func connect() -> LibSSH2Step<Void> {
        let step = LibSSH2.step(libssh2_agent_connect(raw))
        if case .done = step { connected = true }
        return step
    }

    /// Asks the agent for its keys; then `identityComments` lists them.
    func loadIdentities() -> LibSSH2Step<Void> {
        LibSSH2.step(libssh2_agent_list_identities(raw))
    }

    /// The comment of each key the agent holds, in the agent's order.
    var identityComments: [String] {
        var comments: [String] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var next: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(raw, &next, previous) == 0, let identity = next else { break }
            comments.append(npx_ssh2_agent_identity_comment(identity).map { String(cString: $0) } ?? "")
            previous = identity
        }
        return comments
    }

    /// Public key authentication with the agent's key at `index`.
    func authenticate(user: String, identityAt index: Int) -> LibSSH2Step<Void> {
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var position = 0
        while true {
            var next: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(raw, &next, previous) == 0, let identity = next else {
                return .failed(LIBSSH2_ERROR_BAD_USE)
            }
            if position == index {
                return LibSSH2.step(libssh2_agent_userauth(raw, user, identity))
            }
            previous = identity
            position += 1
        }
    }
}
