/// Cluster state and inventory joined into one universe in which pods and
/// legacy hosts are alike: labelled, addressed members of namespaces that
/// policies select. Built once, indexed for the lookups compile and explain make.
public struct World: Sendable {
    public let namespaces: [String: Namespace]
    /// Every namespace name, sorted.
    public let namespaceNames: [String]
    /// Selectable workloads (pods that hold an address, and every host),
    /// grouped by namespace in name order, each group sorted by name. Selection
    /// answers with indices into this array.
    public let workloads: [Workload]
    public let policiesByNamespace: [String: [NetworkPolicy]]
    public let policies: [NetworkPolicy]
    public let hosts: [LegacyHost]
    let index: WorkloadIndex
    private let workloadsByRef: [String: Int]
    private let hostsByRef: [String: Int]
    private let ownerOfAddress: [IPAddress: String]

    /// Joins and checks. Errors (a namespace declared twice, a host in a
    /// namespace that exists nowhere, an address used twice) come back as
    /// diagnostics; the world is still built so that every problem is reported at once.
    public static func build(cluster: ClusterState, inventory: Inventory) -> (World, [Diagnostic]) {
        var problems: [Diagnostic] = []
        var namespaces: [String: Namespace] = [:]
        for ns in cluster.namespaces { namespaces[ns.name] = ns }
        for ns in inventory.namespaces {
            if let existing = namespaces[ns.name], !existing.implied {
                problems.append(.error(ns.origin ?? inventory.source,
                    "namespace \"\(ns.name)\" is declared in the inventory but also exists in the cluster; remove it from the inventory's namespaces (hosts may sit in cluster namespaces directly)"))
                continue
            }
            namespaces[ns.name] = ns
        }
        var all: [Workload] = []
        all.reserveCapacity(cluster.pods.count + inventory.hosts.count)
        var refs: Set<String> = []
        var owner: [IPAddress: String] = [:]
        for pod in cluster.pods where pod.isSelectable {
            let w = pod.workload
            all.append(w)
            refs.insert(w.ref)
            for a in w.addresses where owner[a] == nil { owner[a] = "pod \(w.ref)" }
        }
        for host in inventory.hosts {
            let w = host.workload
            let at = host.origin ?? inventory.source
            if namespaces[host.namespace] == nil {
                problems.append(.error(at,
                    "host \"\(host.name)\" is in namespace \"\(host.namespace)\", which exists neither in the cluster nor in the inventory's namespaces"))
            }
            if refs.contains(w.ref) {
                problems.append(.error(at, "host \"\(host.name)\" has the same namespace/name as pod \(w.ref); a pod and a host may not share one"))
            }
            for a in w.addresses {
                if let other = owner[a] {
                    problems.append(.error(at, "address \(a) of host \"\(host.name)\" is already used by \(other)"))
                } else {
                    owner[a] = "host \(host.name)"
                }
            }
            all.append(w)
            refs.insert(w.ref)
        }
        all.sort { ($0.namespace, $0.name, $0.kind) < ($1.namespace, $1.name, $1.kind) }
        var byRef: [String: Int] = [:]
        byRef.reserveCapacity(all.count)
        // A host and a pod of one name (reported above) resolve to the first in order.
        for (i, w) in all.enumerated() where byRef[w.ref] == nil { byRef[w.ref] = i }
        var polByNS: [String: [NetworkPolicy]] = [:]
        let policies = cluster.policies.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        for p in policies { polByNS[p.namespace, default: []].append(p) }
        let hosts = inventory.hosts.sorted { $0.name < $1.name }
        var hostsByRef: [String: Int] = [:]
        for (i, h) in hosts.enumerated() where hostsByRef[h.ref] == nil { hostsByRef[h.ref] = i }
        let world = World(namespaces: namespaces, namespaceNames: namespaces.keys.sorted(), workloads: all,
                          policiesByNamespace: polByNS, policies: policies, hosts: hosts,
                          index: WorkloadIndex(all), workloadsByRef: byRef, hostsByRef: hostsByRef, ownerOfAddress: owner)
        return (world, problems)
    }

    public func workload(ref: String) -> Workload? { workloadsByRef[ref].map { workloads[$0] } }

    /// The workloads of one namespace, sorted by name.
    public func workloads(in namespace: String) -> ArraySlice<Workload> {
        guard let r = index.ranges[namespace] else { return [] }
        return workloads[r]
    }

    /// The inventory host behind a workload, if it is one.
    public func host(of w: Workload) -> LegacyHost? {
        guard w.kind == .host, let i = hostsByRef[w.ref] else { return nil }
        return hosts[i]
    }

    /// Who holds this address, if anyone ("pod ns/name" or "host name").
    public func owner(of address: IPAddress) -> String? { ownerOfAddress[address] }

    /// Every workload, namespace by namespace.
    public var allWorkloads: [Workload] { workloads }
}
