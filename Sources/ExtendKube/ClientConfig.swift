import Foundation

/// Everything needed to talk to one API server: where, how to verify it,
/// who we are. Printing it shows no credential (they are `Secret`s).
public struct ClientConfig: Sendable {
    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// PEM of the CA that signed the server's certificate; nil: the system's CAs.
    var certificateAuthority: Data?
    var insecureSkipTLSVerify: Bool
    /// tls-server-name: verify the server's certificate for this name, not the URL's host.
    var tlsServerName: String? = nil
    var credentials: Credentials
    /// The context's namespace (`default` when it names none).
    public var namespace: String
    /// Where this came from, for --verbose and for messages.
    public var origin: ConfigOrigin

    public var skipsTLSVerification: Bool { insecureSkipTLSVerify }
}
