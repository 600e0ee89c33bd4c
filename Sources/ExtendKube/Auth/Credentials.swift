/// Who we are, as configured. Files are read when the config is built,
/// except token files, which rotate and are re-read (`CredentialStore`).
struct Credentials: Sendable {
    var token: Secret?
    /// Read again when older than a minute or after a 401; takes precedence over `token`, as in client-go.
    var tokenFile: String?
    var clientCertificate: Secret?
    var clientKey: Secret?
    var exec: ExecPlugin?

    var isEmpty: Bool { token == nil && tokenFile == nil && clientCertificate == nil && exec == nil }
}
