import ExtendCore

/// The cluster as the watches have delivered it, kept so that the engine can
/// be built again from scratch (after the initial sync, an inventory change
/// of namespaces, a compaction).
struct ClusterMirror {
    private var namespaces: [String: Namespace] = [:]
    private var pods: [String: Pod] = [:]
    private var policies: [String: NetworkPolicy] = [:]

    mutating func apply(_ c: ClusterChange) {
        switch c {
        case .pod(let p): pods["\(p.namespace)/\(p.name)"] = p
        case .podDeleted(let ns, let name): pods["\(ns)/\(name)"] = nil
        case .namespace(let n): namespaces[n.name] = n
        case .namespaceDeleted(let name): namespaces[name] = nil
        case .policy(let p): policies[p.id] = p
        case .policyDeleted(let ns, let name): policies["\(ns)/\(name)"] = nil
        case .host, .hostDeleted: break
        }
    }

    var state: ClusterState {
        ClusterState(namespaces: namespaces.keys.sorted().compactMap { namespaces[$0] },
                     pods: pods.keys.sorted().compactMap { pods[$0] },
                     policies: policies.keys.sorted().compactMap { policies[$0] })
    }

    var counts: (namespaces: Int, pods: Int, policies: Int) { (namespaces.count, pods.count, policies.count) }
}
