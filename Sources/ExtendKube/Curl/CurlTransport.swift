import Foundation

/// The libcurl transport: one easy handle, created on first use and kept
/// for the connection's reuse. `perform` is only called from the API
/// client's serial queue, which is what makes the unchecked `Sendable` sound.
final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private var easy: CurlEasy?

    func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse {
        let handle: CurlEasy
        if let easy { handle = easy } else {
            handle = try CurlEasy()
            easy = handle
        }
        return try handle.perform(request)
    }
}
