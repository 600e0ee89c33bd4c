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

/// Where a `ClientConfig` came from, without secrets: for `--verbose` and
/// for error messages that tell the user which entry to fix.
public struct ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// The kubeconfig files read, in merge order.
        case kubeconfig([String])
        /// The service account directory of a pod.
        case inCluster(String)
    }

    public var source: Source
    public var context: String?
    public var cluster: String?
    /// The kubeconfig user entry's name, or `service account` in a pod.
    public var user: String

    public var files: String {
        switch source {
        case .kubeconfig(let f): f.joined(separator: ":")
        case .inCluster(let d): d
        }
    }

    public var description: String {
        switch source {
        case .kubeconfig(let f):
            "context \"\(context ?? "")\" (cluster \"\(cluster ?? "")\", user \"\(user)\") of \(f.joined(separator: ":"))"
        case .inCluster(let d):
            "the pod's service account (\(d))"
        }
    }
}

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
