/// Sends one request and waits for the whole answer. Called only from the
/// API client's own serial queue, never from the cooperative pool: an
/// implementation may block.
protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse
}
