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
