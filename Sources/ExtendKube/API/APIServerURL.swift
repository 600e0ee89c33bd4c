/// Helpers for the server URLs messages name.
enum APIServerURL {
    /// `https://host:port` of a full URL: messages name the server, not the query.
    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        return String(url[..<end])
    }
}
