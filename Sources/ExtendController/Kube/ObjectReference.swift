/// What an Event is about (its `involvedObject`): the controller's own Pod
/// when it knows it, else the Lease or a ConfigMap the caller names.
public struct ObjectReference: Sendable, Codable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    public static func pod(namespace: String, name: String, uid: String? = nil) -> ObjectReference {
        ObjectReference(apiVersion: "v1", kind: "Pod", namespace: namespace, name: name, uid: uid)
    }

    public static func lease(namespace: String, name: String) -> ObjectReference {
        ObjectReference(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: namespace, name: name)
    }

    public static func configMap(namespace: String, name: String) -> ObjectReference {
        ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: name)
    }

    /// The controller's Pod when the Deployment passes `POD_NAME` and
    /// `POD_NAMESPACE` (the downward API; `POD_UID` too if it likes), else `fallback`.
    public static func controller(environment: [String: String], fallback: ObjectReference) -> ObjectReference {
        guard let name = environment["POD_NAME"], !name.isEmpty,
              let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty else { return fallback }
        return .pod(namespace: namespace, name: name, uid: environment["POD_UID"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
