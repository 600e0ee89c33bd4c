import Foundation

/// One HTTP request as the API client builds it. Credentials travel as
/// `Secret`s, so printing a request shows none of them.
struct HTTPRequest: Sendable {
    var method = "GET"
    var url: String
    /// What the request is for, as messages say it: "list pods".
    var purpose: String
    var accept = "application/json"
    var body: Data?
    var contentType: String?
    var bearer: Secret?
    var tls: TLSMaterial
    var timeouts: Timeouts
}

/// What verifies the server and proves who we are, as bytes in memory.
struct TLSMaterial: Sendable {
    /// PEM; nil: the system's CAs.
    var certificateAuthority: Data?
    /// Only `insecure-skip-tls-verify: true` in a kubeconfig sets this.
    var insecureSkipVerify = false
    /// The kubeconfig's tls-server-name: the name sent in SNI and checked
    /// against the server's certificate instead of the URL's host.
    var serverName: String?
    var clientCertificate: Secret?
    var clientKey: Secret?
}

/// How long to wait. The overall limit applies to requests that end (not to watches).
public struct Timeouts: Sendable {
    public var connect: Duration
    /// nil: no limit (a watch).
    public var request: Duration?

    public init(connect: Duration = .seconds(10), request: Duration? = .seconds(60)) {
        self.connect = connect
        self.request = request
    }
}

/// The server's answer: status, the headers we use, the body.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Lowercased names; the last value of a repeated header.
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var contentType: String? { headers["content-type"] }

    /// `Retry-After` in seconds (the API server sends whole seconds, never a date).
    public var retryAfter: Duration? {
        guard let v = headers["retry-after"], let s = Int(v.trimmingCharacters(in: .whitespaces)), s >= 0 else { return nil }
        return .seconds(s)
    }
}

/// Sends one request and waits for the whole answer. Called only from the
/// API client's own serial queue, never from the cooperative pool: an
/// implementation may block.
protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse
}
