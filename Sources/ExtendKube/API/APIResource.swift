/// A resource type the client lists: where it lives in the API and how
/// messages and RBAC rules name it.
public struct APIResource: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public let group: String
    public let version: String
    /// The plural, as RBAC rules name it: `pods`.
    public let name: String

    public init(group: String, version: String, name: String) {
        self.group = group
        self.version = version
        self.name = name
    }

    public static let namespaces = APIResource(group: "", version: "v1", name: "namespaces")
    public static let pods = APIResource(group: "", version: "v1", name: "pods")
    public static let networkPolicies = APIResource(group: "networking.k8s.io", version: "v1", name: "networkpolicies")
    public static let leases = APIResource(group: "coordination.k8s.io", version: "v1", name: "leases")
    public static let events = APIResource(group: "", version: "v1", name: "events")
    public static let configMaps = APIResource(group: "", version: "v1", name: "configmaps")

    /// The cluster-wide collection: `/api/v1/pods`, `/apis/networking.k8s.io/v1/networkpolicies`.
    public var collectionPath: String {
        group.isEmpty ? "/api/\(version)/\(name)" : "/apis/\(group)/\(version)/\(name)"
    }

    /// A namespace's collection, or one object in it:
    /// `/apis/coordination.k8s.io/v1/namespaces/ops/leases/netpol-extend`.
    public func path(namespace: String, name: String? = nil) -> String {
        let root = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        return "\(root)/namespaces/\(namespace)/\(self.name)" + (name.map { "/\($0)" } ?? "")
    }

    /// `pods`, `networkpolicies.networking.k8s.io`: as kubectl and RBAC name them.
    public var description: String { group.isEmpty ? name : "\(name).\(group)" }
}
