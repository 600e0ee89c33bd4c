import Foundation

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
