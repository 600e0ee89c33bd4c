import Foundation

/// The libcurl transport: one easy handle, created on first use and kept
/// for the connection's reuse. `perform` and `stream` are only called from
/// one serial queue (the API client's, or a watch's own), which is what
/// makes the unchecked `Sendable` sound.
final class CurlTransport: StreamingTransport, @unchecked Sendable {
    private var easy: CurlEasy?

    func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse {
        try handle().perform(request)
    }

    func stream(_ request: HTTPRequest, stop: StopFlag, body: @escaping (UnsafeRawBufferPointer) -> Void) throws(KubeError) -> HTTPResponse {
        try handle().stream(request, stop: stop, body: body)
    }

    private func handle() throws(KubeError) -> CurlEasy {
        if let easy { return easy }
        let handle = try CurlEasy()
        easy = handle
        return handle
    }
}
