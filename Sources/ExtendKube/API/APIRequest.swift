import Foundation

/// One API call as messages describe it: verb, resource, scope and path,
/// and for a write its method and JSON body.
public struct APIRequest: Sendable {
    /// The RBAC verb: list, get, watch, create, update, patch.
    public var verb: String
    public var resource: APIResource
    /// nil: cluster-wide.
    public var namespace: String?
    /// The object's name, for a request on one object.
    public var name: String?
    /// Path and query, from the server's root: `/api/v1/pods?limit=500`.
    public var path: String
    /// The HTTP method: GET, POST, PUT, PATCH.
    public var method: String
    public var body: Data?
    public var contentType: String?

    public init(verb: String, resource: APIResource, namespace: String? = nil, name: String? = nil, path: String,
                method: String = "GET", body: Data? = nil, contentType: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.path = path
        self.method = method
        self.body = body
        self.contentType = contentType
    }

    /// "list pods cluster-wide", "update leases.coordination.k8s.io "netpol-extend" in namespace ops".
    public var purpose: String {
        "\(verb) \(resource)\(name.map { " \"\($0)\"" } ?? "") \(namespace.map { "in namespace \($0)" } ?? "cluster-wide")"
    }
}
