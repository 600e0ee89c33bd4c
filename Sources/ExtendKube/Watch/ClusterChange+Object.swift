import ExtendCore
import ExtendInput

extension ManifestObject {
    /// The change that adds this object or replaces its earlier version.
    var upsert: ClusterChange {
        switch self {
        case .namespace(let ns): .namespace(ns)
        case .pod(let pod): .pod(pod)
        case .policy(let policy): .policy(policy)
        }
    }

    /// The change that removes it.
    var deletion: ClusterChange {
        switch self {
        case .namespace(let ns): .namespaceDeleted(ns.name)
        case .pod(let pod): .podDeleted(namespace: pod.namespace, name: pod.name)
        case .policy(let policy): .policyDeleted(namespace: policy.namespace, name: policy.name)
        }
    }
}
