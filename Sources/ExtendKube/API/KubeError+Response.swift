extension KubeError {
    /// A successful answer to `request` that is not the object it should be,
    /// for callers that read the body themselves.
    public static func unreadable(_ request: APIRequest, server: String, _ why: any Error) -> KubeError {
        KubeError(.response, "the API server \(server) answered \(request.purpose) with something that is not a \(request.resource) object: \(why)")
    }
}
