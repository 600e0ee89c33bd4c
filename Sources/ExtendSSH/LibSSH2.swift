internal import CLibSSH2

/// libssh2's process-wide state and its error codes.
enum LibSSH2 {
    /// `libssh2_init` must run once before any session and is not itself
    /// thread-safe; a static `let` is initialised exactly once, atomically.
    private static let initStatus: Int32 = libssh2_init(0)

    static var isInitialized: Bool { initStatus == 0 }

    static func step(_ status: Int32) -> LibSSH2Step<Void> {
        switch status {
        case 0: .done(())
        case LIBSSH2_ERROR_EAGAIN: .again
        default: .failed(status)
        }
    }

    static func step(_ count: Int) -> LibSSH2Step<Int> {
        if count >= 0 { return .done(count) }
        return count == Int(LIBSSH2_ERROR_EAGAIN) ? .again : .failed(Int32(clamping: count))
    }

    /// The macro name of a libssh2 error code, for messages.
    static func name(of code: Int32) -> String {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE: "LIBSSH2_ERROR_SOCKET_NONE"
        case LIBSSH2_ERROR_BANNER_RECV: "LIBSSH2_ERROR_BANNER_RECV"
        case LIBSSH2_ERROR_BANNER_SEND: "LIBSSH2_ERROR_BANNER_SEND"
        case LIBSSH2_ERROR_INVALID_MAC: "LIBSSH2_ERROR_INVALID_MAC"
        case LIBSSH2_ERROR_KEX_FAILURE: "LIBSSH2_ERROR_KEX_FAILURE"
        case LIBSSH2_ERROR_ALLOC: "LIBSSH2_ERROR_ALLOC"
        case LIBSSH2_ERROR_SOCKET_SEND: "LIBSSH2_ERROR_SOCKET_SEND"
        case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE: "LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE"
        case LIBSSH2_ERROR_TIMEOUT: "LIBSSH2_ERROR_TIMEOUT"
        case LIBSSH2_ERROR_HOSTKEY_INIT: "LIBSSH2_ERROR_HOSTKEY_INIT"
        case LIBSSH2_ERROR_HOSTKEY_SIGN: "LIBSSH2_ERROR_HOSTKEY_SIGN"
        case LIBSSH2_ERROR_DECRYPT: "LIBSSH2_ERROR_DECRYPT"
        case LIBSSH2_ERROR_SOCKET_DISCONNECT: "LIBSSH2_ERROR_SOCKET_DISCONNECT"
        case LIBSSH2_ERROR_PROTO: "LIBSSH2_ERROR_PROTO"
        case LIBSSH2_ERROR_FILE: "LIBSSH2_ERROR_FILE"
        case LIBSSH2_ERROR_METHOD_NONE: "LIBSSH2_ERROR_METHOD_NONE"
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED: "LIBSSH2_ERROR_AUTHENTICATION_FAILED"
        case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: "LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED"
        case LIBSSH2_ERROR_CHANNEL_OUTOFORDER: "LIBSSH2_ERROR_CHANNEL_OUTOFORDER"
        case LIBSSH2_ERROR_CHANNEL_FAILURE: "LIBSSH2_ERROR_CHANNEL_FAILURE"
        case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED: "LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED"
        case LIBSSH2_ERROR_CHANNEL_UNKNOWN: "LIBSSH2_ERROR_CHANNEL_UNKNOWN"
        case LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED: "LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED"
        case LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED: "LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED"
        case LIBSSH2_ERROR_CHANNEL_CLOSED: "LIBSSH2_ERROR_CHANNEL_CLOSED"
        case LIBSSH2_ERROR_CHANNEL_EOF_SENT: "LIBSSH2_ERROR_CHANNEL_EOF_SENT"
        case LIBSSH2_ERROR_SOCKET_TIMEOUT: "LIBSSH2_ERROR_SOCKET_TIMEOUT"
        case LIBSSH2_ERROR_REQUEST_DENIED: "LIBSSH2_ERROR_REQUEST_DENIED"
        case LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: "LIBSSH2_ERROR_METHOD_NOT_SUPPORTED"
        case LIBSSH2_ERROR_INVAL: "LIBSSH2_ERROR_INVAL"
        case LIBSSH2_ERROR_PUBLICKEY_PROTOCOL: "LIBSSH2_ERROR_PUBLICKEY_PROTOCOL"
        case LIBSSH2_ERROR_EAGAIN: "LIBSSH2_ERROR_EAGAIN"
        case LIBSSH2_ERROR_BUFFER_TOO_SMALL: "LIBSSH2_ERROR_BUFFER_TOO_SMALL"
        case LIBSSH2_ERROR_BAD_USE: "LIBSSH2_ERROR_BAD_USE"
        case LIBSSH2_ERROR_COMPRESS: "LIBSSH2_ERROR_COMPRESS"
        case LIBSSH2_ERROR_OUT_OF_BOUNDARY: "LIBSSH2_ERROR_OUT_OF_BOUNDARY"
        case LIBSSH2_ERROR_AGENT_PROTOCOL: "LIBSSH2_ERROR_AGENT_PROTOCOL"
        case LIBSSH2_ERROR_SOCKET_RECV: "LIBSSH2_ERROR_SOCKET_RECV"
        case LIBSSH2_ERROR_ENCRYPT: "LIBSSH2_ERROR_ENCRYPT"
        case LIBSSH2_ERROR_BAD_SOCKET: "LIBSSH2_ERROR_BAD_SOCKET"
        case LIBSSH2_ERROR_KNOWN_HOSTS: "LIBSSH2_ERROR_KNOWN_HOSTS"
        case LIBSSH2_ERROR_CHANNEL_WINDOW_FULL: "LIBSSH2_ERROR_CHANNEL_WINDOW_FULL"
        case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED: "LIBSSH2_ERROR_KEYFILE_AUTH_FAILED"
        case LIBSSH2_ERROR_RANDGEN: "LIBSSH2_ERROR_RANDGEN"
        default: "libssh2 error \(code)"
        }
    }
}

extension LibSSH2 {
    /// The server turned a channel or request down; the connection itself is fine.
    static func isRefusal(_ code: Int32) -> Bool {
        code == LIBSSH2_ERROR_CHANNEL_FAILURE || code == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED
    }

    /// A channel write failed because the remote side has closed or finished
    /// with the channel: the rest of stdin has no reader.
    static func isClosedChannel(_ code: Int32) -> Bool {
        code == LIBSSH2_ERROR_CHANNEL_CLOSED || code == LIBSSH2_ERROR_CHANNEL_EOF_SENT
    }

    /// Reading the key file failed (missing, unreadable, wrong passphrase),
    /// as opposed to the server refusing the key.
    static func isKeyFileFailure(_ code: Int32) -> Bool {
        code == LIBSSH2_ERROR_FILE || code == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED
    }

    /// The server said no to a key (as opposed to the transport failing).
    static func isKeyRefused(_ code: Int32) -> Bool {
        code == LIBSSH2_ERROR_AUTHENTICATION_FAILED || code == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED
    }
}
