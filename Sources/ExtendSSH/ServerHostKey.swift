/// The key a server presented during the handshake.
struct ServerHostKey {
    /// `nil` for a type libssh2 reports but we do not verify (DSS).
    let type: SSHHostKeyType?
    let typeName: String
    let blob: [UInt8]
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    let fingerprint: String
}
