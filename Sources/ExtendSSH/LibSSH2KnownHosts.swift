internal import CLibSSH2

/// Owns one `LIBSSH2_KNOWNHOSTS` collection, filled from OpenSSH known_hosts lines.
final class LibSSH2KnownHosts {
    private let raw: OpaquePointer
    /// Keeps the session alive as long as the collection.
    private let session: LibSSH2Session

    enum Verdict {
        case match
        case mismatch
        case notFound
        case failure
    }

    init(raw: OpaquePointer, session: LibSSH2Session) {
        self.raw = raw
        self.session = session
    }

    deinit {
        libssh2_knownhost_free(raw)
    }

    /// Adds one line in OpenSSH format (plain, `[host]:port` or hashed `|1|`);
    /// false when libssh2 cannot parse it.
    func add(line: String) -> Bool {
        libssh2_knownhost_readline(raw, line, line.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0
    }

    /// Checks `host` at `port` against the collection. For a port other than
    /// 22 libssh2 looks for `[host]:port` entries first, then plain `host`
    /// ones; hashed entries are matched by hashing the same names.
    func check(host: String, port: Int, key: [UInt8], type: SSHHostKeyType) -> Verdict {
        let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | Self.keyBits(type)
        let status = key.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return LIBSSH2_KNOWNHOST_CHECK_FAILURE }
            return libssh2_knownhost_checkp(
                raw, host, Int32(clamping: port), base.assumingMemoryBound(to: CChar.self),
                bytes.count, mask, nil)
        }
        return switch status {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: .mismatch
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: .notFound
        default: .failure
        }
    }

    /// Whether any entry of this type exists for the host: a check with a key
    /// no entry can hold answers "mismatch" exactly when one does.
    func hasEntry(host: String, port: Int, type: SSHHostKeyType) -> Bool {
        switch check(host: host, port: port, key: [0], type: type) {
        case .match, .mismatch: true
        case .notFound, .failure: false
        }
    }

    private static func keyBits(_ type: SSHHostKeyType) -> Int32 {
        switch type {
        case .ed25519: LIBSSH2_KNOWNHOST_KEY_ED25519
        case .ecdsa256: LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case .ecdsa384: LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case .ecdsa521: LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case .rsa: LIBSSH2_KNOWNHOST_KEY_SSHRSA
        }
    }
}
