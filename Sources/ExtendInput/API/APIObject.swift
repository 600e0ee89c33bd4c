import ExtendCore

/// One object as the API server sent it (a list item or a watch event's
/// object): who it is — read leniently, so even an object that does not
/// decode can be named and deleted — its resourceVersion, and its value,
/// nil when it has errors (`diagnostics` says which, at NAME:LINE:COLUMN).
public struct APIObject: Sendable {
    /// `Pod`, `Namespace`, `NetworkPolicy`.
    public let kind: String
    /// "" for a cluster-scoped object.
    public let namespace: String
    public let name: String
    public let resourceVersion: String
    public let value: ManifestObject?
    public let diagnostics: [Diagnostic]
    /// NAME:LINE where the object begins.
    public let origin: String

    public init(kind: String, namespace: String, name: String, resourceVersion: String, value: ManifestObject?,
                diagnostics: [Diagnostic] = [], origin: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.value = value
        self.diagnostics = diagnostics
        self.origin = origin
    }

    /// `namespace/name`, or `name` for a cluster-scoped object: the etcd key's tail.
    public var key: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    /// `Pod app/web-1`.
    public var described: String { "\(kind) \(key)" }
}
