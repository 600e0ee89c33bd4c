/// Everything that can go wrong between us and the Kubernetes API, as a value.
///
/// `message` is a complete sentence naming what it concerns: the kubeconfig
/// file and entry, the credential plugin, or the API server URL with the
/// request's verb and resource. Messages never contain a token, a key or a
/// credential plugin's output (`Secret` has no readable description).
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The kubeconfig or in-cluster files are missing, unreadable or incomplete.
        case configuration
        /// A credential could not be obtained (token file, exec plugin).
        case credentials
        /// The server could not be reached, or the connection broke or timed out.
        case transport
        /// The TLS handshake failed (unknown CA, wrong name, rejected client certificate).
        case tls
        /// 401: the server did not accept our credentials.
        case unauthorized
        /// 403: RBAC denies the request.
        case forbidden
        /// 404.
        case notFound
        /// 409: the object changed since we read it (`Conflict`: a stale
        /// resourceVersion), or already exists (`AlreadyExists`, on create);
        /// `reason` tells which. Read again and decide again.
        case conflict
        /// 410: a resourceVersion or continue token is too old.
        case expired
        /// 429 after the retries.
        case tooManyRequests
        /// 5xx after the retries.
        case server
        /// Any other status, or a body we cannot use.
        case response
        /// Our side stopped the request (a watch whose task was cancelled).
        case cancelled
    }

    public let kind: Kind
    public let message: String
    /// The HTTP status, when the server answered.
    public let status: Int?
    /// The `Status` reason the server gave (e.g. `Expired`, `Forbidden`).
    public let reason: String?

    init(_ kind: Kind, _ message: String, status: Int? = nil, reason: String? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.reason = reason
    }

    public var description: String { message }
}
