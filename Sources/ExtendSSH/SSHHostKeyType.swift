/// Host key algorithms we verify, in the order OpenSSH's client prefers them.
enum SSHHostKeyType: CaseIterable, Sendable {
    case ed25519
    case ecdsa256
    case ecdsa384
    case ecdsa521
    case rsa

    /// The key type as known_hosts writes it.
    var name: String {
        switch self {
        case .ed25519: "ssh-ed25519"
        case .ecdsa256: "ecdsa-sha2-nistp256"
        case .ecdsa384: "ecdsa-sha2-nistp384"
        case .ecdsa521: "ecdsa-sha2-nistp521"
        case .rsa: "ssh-rsa"
        }
    }

    /// The hostkey method preference for the handshake: types the known_hosts
    /// file already holds for this host first, so that a host with several
    /// keys is asked for one we can verify; then the rest in OpenSSH's order.
    /// (libssh2 1.10 signs RSA host keys with ssh-rsa only.)
    static func methodPreference(known: [SSHHostKeyType]) -> String {
        let rest = allCases.filter { !known.contains($0) }
        return (known + rest).map(\.name).joined(separator: ",")
    }
}
