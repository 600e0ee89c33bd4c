extension APIResource {
    /// The kind of the objects of this resource, as watch events and manifests name it.
    public var objectKind: String {
        switch (group, name) {
        case ("", "namespaces"): "Namespace"
        case ("", "pods"): "Pod"
        case ("networking.k8s.io", "networkpolicies"): "NetworkPolicy"
        default: name
        }
    }

    /// `v1`, `networking.k8s.io/v1`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}
