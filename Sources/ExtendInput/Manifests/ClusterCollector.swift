import ExtendCore

/// Gathers the objects read from every manifest into one `ClusterState`.
/// An object given twice (same kind, namespace and name) keeps its later
/// definition, as `kubectl apply` of the files in order would, with a warning:
/// that is how a snapshot plus a changed policy file previews the change.
struct ClusterCollector {
    private(set) var namespaces: [Namespace] = []
    private(set) var pods: [Pod] = []
    private(set) var policies: [NetworkPolicy] = []
    private var namespaceIndex: [String: (index: Int, at: String)] = [:]
    private var podIndex: [String: (index: Int, at: String)] = [:]
    private var policyIndex: [String: (index: Int, at: String)] = [:]
    /// Namespaces that pods and policies live in, with where each was first used.
    private var usedNamespaces: [String: String] = [:]

    mutating func add(_ ns: Namespace, at c: Cursor) {
        let at = c.lineLocation
        if let seen = namespaceIndex[ns.name] {
            c.warning("Namespace \(ns.name) is also defined at \(seen.at); this later definition replaces it")
            namespaces[seen.index] = ns
            namespaceIndex[ns.name] = (seen.index, at)
        } else {
            namespaceIndex[ns.name] = (namespaces.count, at)
            namespaces.append(ns)
        }
    }

    mutating func add(_ pod: Pod, at c: Cursor) {
        use(pod.namespace, at: c.lineLocation)
        if let seen = podIndex[pod.ref] {
            c.warning("Pod \(pod.ref) is also defined at \(seen.at); this later definition replaces it")
            pods[seen.index] = pod
            podIndex[pod.ref] = (seen.index, c.lineLocation)
        } else {
            podIndex[pod.ref] = (pods.count, c.lineLocation)
            pods.append(pod)
        }
    }

    mutating func add(_ policy: NetworkPolicy, at c: Cursor) {
        use(policy.namespace, at: c.lineLocation)
        if let seen = policyIndex[policy.id] {
            c.warning("NetworkPolicy \(policy.id) is also defined at \(seen.at); this later definition replaces it")
            policies[seen.index] = policy
            policyIndex[policy.id] = (seen.index, c.lineLocation)
        } else {
            policyIndex[policy.id] = (policies.count, c.lineLocation)
            policies.append(policy)
        }
    }

    private mutating func use(_ namespace: String, at: String) {
        if usedNamespaces[namespace] == nil { usedNamespaces[namespace] = at }
    }

    /// The state, with a label-less Namespace for each namespace that pods or
    /// policies use but no Namespace object declares (a lone policy file);
    /// each such assumption is noted.
    func finish(notes: inout [String]) -> ClusterState {
        var all = namespaces
        for (name, at) in usedNamespaces.sorted(by: { $0.key < $1.key }) where namespaceIndex[name] == nil {
            notes.append("\(at): namespace \(name) has no Namespace object in the manifests; assuming it exists with only the label kubernetes.io/metadata.name=\(name)")
            all.append(Namespace(name: name, implied: true))
        }
        return ClusterState(namespaces: all, pods: pods, policies: policies)
    }
}
