/// A transport that can also deliver a body as it arrives (a watch). Like
/// `HTTPTransport.perform`, `stream` blocks: it runs on its owner's own
/// queue, never on the cooperative pool.
protocol StreamingTransport: HTTPTransport {
    /// A 2xx body goes to `body` piece by piece; any other answer comes back
    /// whole. Ends cleanly at the server's end of stream, with `.cancelled`
    /// once `stop` is set, else with a `.transport` error (cut, idle too long).
    func stream(_ request: HTTPRequest, stop: StopFlag, body: @escaping (UnsafeRawBufferPointer) -> Void) throws(KubeError) -> HTTPResponse
}
