/// One API call as messages describe it: verb, resource, scope and path.
public struct APIRequest: Sendable {
    /// The RBAC verb: list, get, watch.
    public var verb: String
    public var resource: APIResource
    /// nil: cluster-wide.
    public var namespace: String?
    /// Path and query, from the server's root: `/api/v1/pods?limit=500`.
    public var path: String

    public init(verb: String, resource: APIResource, namespace: String? = nil, path: String) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.path = path
    }

    /// "list pods cluster-wide", "get networkpolicies.networking.k8s.io in namespace live".
    public var purpose: String {
        "\(verb) \(resource) \(namespace.map { "in namespace \($0)" } ?? "cluster-wide")"
    }
}
