import Dispatch
import Foundation
import Logging

/// Talks to one API server. Every blocking step (reading a token file,
/// running an exec plugin, the libcurl transfer) runs on the client's own
/// serial queue, off the cooperative pool; the async methods wait for it.
/// Retries (429, 5xx) and the one re-read of credentials after a 401 live
/// here, so every caller gets them.
public final class APIClient: Sendable {
    public let config: ClientConfig
    let retry: RetryPolicy
    let timeouts: Timeouts
    let logger: Logger
    let credentials: CredentialStore
    /// Told the HTTP status of every answer that is not a success (a retried
    /// 429 or 500 each time, a watch refused, an ERROR event in a watch):
    /// the controller counts them by code on /metrics.
    let errorResponse: @Sendable (Int) -> Void
    private let transport: any HTTPTransport
    private let queue: DispatchQueue

    public convenience init(config: ClientConfig, retry: RetryPolicy = .standard, timeouts: Timeouts = Timeouts(),
                            logger: Logger = Logger(label: "netpol-extend.kube"),
                            errorResponse: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.init(config: config, retry: retry, timeouts: timeouts, logger: logger, transport: CurlTransport(),
                  errorResponse: errorResponse)
    }

    init(config: ClientConfig, retry: RetryPolicy, timeouts: Timeouts, logger: Logger, transport: any HTTPTransport,
         credentials: CredentialStore? = nil, errorResponse: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.config = config
        self.retry = retry
        self.timeouts = timeouts
        self.logger = logger
        self.transport = transport
        self.errorResponse = errorResponse
        self.credentials = credentials ?? CredentialStore(config.credentials)
        queue = DispatchQueue(label: "netpol-extend.kube \(config.server)")
    }

    /// GETs `request.path` and returns the successful answer (2xx), retrying
    /// what may pass; anything else is a `KubeError` built from the Status.
    public func get(_ request: APIRequest) async throws(KubeError) -> HTTPResponse {
        try await perform(request)
    }

    /// Sends `request` (its method and body) and returns the successful
    /// answer (2xx), retrying what may pass (429, 5xx); anything else is a
    /// `KubeError` built from the Status. Repeating a write the server may
    /// have taken is safe for ours: an update carries its resourceVersion (a
    /// repeat is a 409), a create its name (a repeat is `AlreadyExists`).
    public func perform(_ request: APIRequest) async throws(KubeError) -> HTTPResponse {
        var attempt = 0
        var refreshed = false
        while true {
            attempt += 1
            let response = try await send(request)
            logger.debug("API request", metadata: ["method": "\(request.method)", "verb": "\(request.verb)", "path": "\(request.path)",
                                                    "status": "\(response.status)", "attempt": "\(attempt)"])
            if !(200..<300).contains(response.status) { errorResponse(response.status) }
            switch response.status {
            case 200..<300:
                return response
            case 401 where !refreshed && credentials.canRefresh:
                // A rotated service-account token or an exec credential that
                // expired early: read again, once.
                refreshed = true
                credentials.invalidate()
                attempt -= 1
                continue
            case let s where RetryPolicy.isRetryable(s) && attempt < retry.maxAttempts:
                let wait = retry.delay(afterAttempt: attempt, retryAfter: response.retryAfter)
                logger.info("API server busy; retrying", metadata: ["status": "\(s)", "path": "\(request.path)", "wait": "\(wait)"])
                await retry.sleep(wait)
                continue
            default:
                throw APIErrorMessage.error(for: response, request: request, server: config.server,
                                            origin: config.origin, attempts: attempt)
            }
        }
    }

    /// One transfer on the client's queue, with the current credentials.
    private func send(_ request: APIRequest) async throws(KubeError) -> HTTPResponse {
        let result: Result<HTTPResponse, KubeError> = await withCheckedContinuation { continuation in
            queue.async { [transport, self] in
                continuation.resume(returning: Result { () throws(KubeError) -> HTTPResponse in
                    try transport.perform(try http(request, timeouts: timeouts))
                })
            }
        }
        return try result.get()
    }

    /// The HTTP request for `request`, with the current credentials. Blocks
    /// (a token file, an exec plugin): call it off the cooperative pool.
    func http(_ request: APIRequest, timeouts: Timeouts) throws(KubeError) -> HTTPRequest {
        let auth = try credentials.material()
        let tls = TLSMaterial(certificateAuthority: config.certificateAuthority,
                              insecureSkipVerify: config.insecureSkipTLSVerify, serverName: config.tlsServerName,
                              clientCertificate: auth.clientCertificate, clientKey: auth.clientKey)
        return HTTPRequest(method: request.method, url: config.server + request.path, purpose: request.purpose,
                           body: request.body, contentType: request.contentType, bearer: auth.bearer, tls: tls,
                           timeouts: timeouts)
    }
}
