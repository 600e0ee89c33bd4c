import Foundation
internal import CLibSSH2

/// Owns one `LIBSSH2_SESSION` in non-blocking mode, over one `TCPSocket`.
///
/// Every call returns a `LibSSH2Step`; `SessionDriver` waits on the socket and
/// repeats the call when it says `.again`. The session keeps its socket alive
/// and frees itself in deinit.
final class LibSSH2Session {
    private let raw: OpaquePointer
    let socket: TCPSocket
    /// The host as `name (address:port)`, for every error this session builds.
    let target: String

    enum MethodKind {
        case keyExchange
        case hostKey
    }

    init(socket: TCPSocket, target: String) throws(SSHError) {
        guard LibSSH2.isInitialized else {
            throw SSHError(.configuration, host: target, "libssh2_init failed: cannot reach \(target)")
        }
        guard let raw = npx_ssh2_session_init() else {
            throw SSHError(.configuration, host: target, "cannot allocate a libssh2 session for \(target)")
        }
        self.raw = raw
        self.socket = socket
        self.target = target
        libssh2_session_set_blocking(raw, 0)
    }

    deinit {
        // Whatever freeing still wants to send (a channel's close) is moot
        // now; shutting the socket first makes such sends fail at once
        // instead of returning EAGAIN, so the free always completes.
        socket.shutdownBothWays()
        var attempts = 0
        while libssh2_session_free(raw) == LIBSSH2_ERROR_EAGAIN, attempts < 3 {
            attempts += 1
        }
    }

    // MARK: Errors

    /// The one place libssh2 failures become `SSHError`s: the session's last
    /// error text, the code's name, and the host.
    /// `action` reads as a phrase that ends before the host, e.g. "the SSH handshake with".
    func failure(_ code: Int32, _ stage: SSHError.Stage, _ action: String) -> SSHError {
        var text: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let lastCode = libssh2_session_last_error(raw, &text, &length, 0)
        let effective = code != 0 ? code : lastCode
        var detail = ""
        if let text, length > 0 {
            detail = text.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
            }
        }
        let reason = detail.isEmpty
            ? LibSSH2.name(of: effective)
            : "\(detail) (\(LibSSH2.name(of: effective)))"
        return SSHError(stage, host: target, "\(action) \(target) failed: \(reason)", code: effective)
    }

    private var lastErrno: Int32 { libssh2_session_last_errno(raw) }

    /// A call that returns a pointer said NULL: would it block, or did it fail?
    private func nullStep<T>() -> LibSSH2Step<T> {
        let code = lastErrno
        return code == LIBSSH2_ERROR_EAGAIN ? .again : .failed(code == 0 ? LIBSSH2_ERROR_INVAL : code)
    }

    // MARK: Transport

    /// Which ways the last call that said `.again` is waiting on the socket.
    var blockDirections: SocketDirections {
        let bits = libssh2_session_block_directions(raw)
        var directions: SocketDirections = []
        if bits & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { directions.insert(.inbound) }
        if bits & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { directions.insert(.outbound) }
        return directions
    }

    /// Sets a comma-separated method preference; libssh2 drops names it does not know.
    @discardableResult
    func prefer(_ kind: MethodKind, _ methods: String) -> Bool {
        let type = switch kind {
        case .keyExchange: LIBSSH2_METHOD_KEX
        case .hostKey: LIBSSH2_METHOD_HOSTKEY
        }
        return libssh2_session_method_pref(raw, type, methods) == 0
    }

    /// The method negotiated in the handshake.
    func negotiated(_ kind: MethodKind) -> String? {
        let type = switch kind {
        case .keyExchange: LIBSSH2_METHOD_KEX
        case .hostKey: LIBSSH2_METHOD_HOSTKEY
        }
        return libssh2_session_methods(raw, type).map { String(cString: $0) }
    }

    func handshake() -> LibSSH2Step<Void> {
        LibSSH2.step(libssh2_session_handshake(raw, socket.descriptor))
    }

    func hostKey() -> ServerHostKey? {
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(raw, &length, &type), length > 0 else { return nil }
        let blob = key.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        var fingerprint = "SHA256:?"
        if let hash = libssh2_hostkey_hash(raw, LIBSSH2_HOSTKEY_HASH_SHA256) {
            let digest = hash.withMemoryRebound(to: UInt8.self, capacity: 32) {
                Data(UnsafeBufferPointer(start: $0, count: 32))
            }
            let text = digest.base64EncodedString()
            fingerprint = "SHA256:" + text.prefix { $0 != "=" }
        }
        let known: SSHHostKeyType? = switch type {
        case LIBSSH2_HOSTKEY_TYPE_ED25519: .ed25519
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: .ecdsa256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: .ecdsa384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: .ecdsa521
        case LIBSSH2_HOSTKEY_TYPE_RSA: .rsa
        default: nil
        }
        let name = known?.name ?? (type == LIBSSH2_HOSTKEY_TYPE_DSS ? "ssh-dss" : "unknown key type \(type)")
        return ServerHostKey(type: known, typeName: name, blob: blob, fingerprint: fingerprint)
    }

    func configureKeepalive(seconds: Int) {
        libssh2_keepalive_config(raw, 1, UInt32(clamping: max(seconds, 0)))
    }

    /// Sends a keepalive if one is due; returns seconds until the next is due.
    func sendKeepalive() -> LibSSH2Step<Int> {
        var next: Int32 = 0
        let status = libssh2_keepalive_send(raw, &next)
        switch LibSSH2.step(status) {
        case .done: return .done(Int(next))
        case .again: return .again
        case .failed(let code): return .failed(code)
        }
    }

    func disconnect(_ reason: String) -> LibSSH2Step<Void> {
        LibSSH2.step(npx_ssh2_session_disconnect(raw, reason))
    }

    // MARK: Authentication

    /// The methods the server offers `user`; `nil` when the server let us in with "none".
    func authMethods(user: String) -> LibSSH2Step<[String]?> {
        if let list = libssh2_userauth_list(raw, user, UInt32(user.utf8.count)) {
            return .done(String(cString: list).split(separator: ",").map(String.init))
        }
        if libssh2_userauth_authenticated(raw) != 0 { return .done(nil) }
        return nullStep()
    }

    var isAuthenticated: Bool { libssh2_userauth_authenticated(raw) != 0 }

    /// Public key authentication with a private key file; libssh2 derives the
    /// public key from it (no `.pub` file needed).
    func authenticate(user: String, privateKeyFile: String, passphrase: String?) -> LibSSH2Step<Void> {
        LibSSH2.step(npx_ssh2_userauth_publickey_fromfile(raw, user, nil, privateKeyFile, passphrase))
    }

    // MARK: Owned children

    func openChannel() -> LibSSH2Step<LibSSH2Channel> {
        guard let channel = npx_ssh2_channel_open_session(raw) else { return nullStep() }
        return .done(LibSSH2Channel(raw: channel, session: self, sessionPointer: raw))
    }

    func makeKnownHosts() -> LibSSH2KnownHosts? {
        libssh2_knownhost_init(raw).map { LibSSH2KnownHosts(raw: $0, session: self) }
    }

    func makeAgent(socketPath: String) -> LibSSH2Agent? {
        guard let agent = libssh2_agent_init(raw) else { return nil }
        libssh2_agent_set_identity_path(agent, socketPath)
        return LibSSH2Agent(raw: agent, session: self)
    }
}
