/// Cluster state and inventory joined into one universe in which pods and
/// legacy hosts are alike: labelled, addressed members of namespaces that
/// policies select. Built once, indexed for the lookups compile and explain make.
public struct World: Sendable {
    public let namespaces: [String: Namespace]
    /// Selectable workloads (pods that hold an address, and every host), per namespace, sorted by name.
    public let workloadsByNamespace: [String: [Workload]]
    public let policiesByNamespace: [String: [NetworkPolicy]]
    public let policies: [NetworkPolicy]
    public let hosts: [LegacyHost]
    private let workloadsByRef: [String: Workload]
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
        var byNS: [String: [Workload]] = [:]
        var byRef: [String: Workload] = [:]
        var owner: [IPAddress: String] = [:]
        for pod in cluster.pods where pod.isSelectable {
            let w = pod.workload
            byNS[w.namespace, default: []].append(w)
            byRef[w.ref] = w
            for a in w.addresses where owner[a] == nil { owner[a] = "pod \(w.ref)" }
        }
        for host in inventory.hosts {
            let w = host.workload
            let at = host.origin ?? inventory.source
            if namespaces[host.namespace] == nil {
                problems.append(.error(at,
                    "host \"\(host.name)\" is in namespace \"\(host.namespace)\", which exists neither in the cluster nor in the inventory's namespaces"))
            }
            if byRef[w.ref] != nil {
                problems.append(.error(at, "host \"\(host.name)\" has the same namespace/name as pod \(w.ref); a pod and a host may not share one"))
            }
            for a in w.addresses {
                if let other = owner[a] {
                    problems.append(.error(at, "address \(a) of host \"\(host.name)\" is already used by \(other)"))
                } else {
                    owner[a] = "host \(host.name)"
                }
            }
            byNS[w.namespace, default: []].append(w)
            byRef[w.ref] = w
        }
        for k in byNS.keys { byNS[k]?.sort { ($0.name, $0.kind) < ($1.name, $1.kind) } }
        var polByNS: [String: [NetworkPolicy]] = [:]
        let policies = cluster.policies.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        for p in policies { polByNS[p.namespace, default: []].append(p) }
        let world = World(namespaces: namespaces, workloadsByNamespace: byNS, policiesByNamespace: polByNS,
                          policies: policies, hosts: inventory.hosts.sorted { $0.name < $1.name },
                          workloadsByRef: byRef, ownerOfAddress: owner)
        return (world, problems)
    }

    public func workload(ref: String) -> Workload? { workloadsByRef[ref] }

    /// The inventory host behind a workload, if it is one.
    public func host(of w: Workload) -> LegacyHost? {
        guard w.kind == .host else { return nil }
        return hosts.first { $0.name == w.name && $0.namespace == w.namespace }
    }

    /// Who holds this address, if anyone ("pod ns/name" or "host name").
    public func owner(of address: IPAddress) -> String? { ownerOfAddress[address] }

    public var allWorkloads: [Workload] {
        workloadsByNamespace.keys.sorted().flatMap { workloadsByNamespace[$0] ?? [] }
    }
}
