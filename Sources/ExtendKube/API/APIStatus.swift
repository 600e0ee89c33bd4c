import Foundation

/// The `Status` object the API server sends with an error (and a watch's
/// ERROR event): what went wrong in its own words.
public struct APIStatus: Sendable, Decodable, Equatable {
    public var kind: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?
    public var details: Details?

    public struct Details: Sendable, Decodable, Equatable {
        public var name: String?
        public var kind: String?
        public var retryAfterSeconds: Int?
    }

    /// The body as a Status, or nil when it is not one (an HTML error page, `404 page not found`).
    public static func decode(_ body: Data) -> APIStatus? {
        guard let s = try? JSONDecoder().decode(APIStatus.self, from: body), s.kind == "Status" else { return nil }
        return s
    }
}
