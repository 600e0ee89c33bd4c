/// Cluster state and inventory joined into one universe in which pods and
/// legacy hosts are alike: labelled, addressed members of namespaces that
/// policies select. Built once, indexed for the lookups compile and explain
/// make, and updated in place, one object at a time, by the incremental compiler.
public struct World: Sendable {
    public private(set) var namespaces: [String: Namespace]
    /// Every namespace name, sorted.
    public private(set) var namespaceNames: [String]
    /// Per namespace: its selectable workloads (pods that hold an address, and
    /// every host) and their label postings.
    private(set) var members: [String: NamespaceMembers]
    public private(set) var policiesByNamespace: [String: [NetworkPolicy]]
    /// The companions of ours the cluster holds (`NetworkPolicy.isManagedCompanion`),
    /// by namespace and name. They are kept apart from `policiesByNamespace`:
    /// they mirror, for the cluster's CNI, what the policies there already
    /// allow, so they neither isolate hosts, nor add host rules, nor get companions.
    public private(set) var managedCompanions: [NetworkPolicy]
    public private(set) var hosts: [LegacyHost]
    private var hostsByRef: [String: Int]
    private var ownerOfAddress: [IPAddress: String]

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
        var refs: Set<String> = []
        var owner: [IPAddress: String] = [:]
        for pod in cluster.pods where pod.isSelectable {
            let w = pod.workload
            byNS[w.namespace, default: []].append(w)
            refs.insert(w.ref)
            for a in w.addresses where owner[a] == nil { owner[a] = World.ownerText(w) }
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
                    owner[a] = World.ownerText(w)
                }
            }
            byNS[w.namespace, default: []].append(w)
            refs.insert(w.ref)
        }
        var polByNS: [String: [NetworkPolicy]] = [:]
        for p in cluster.policies where !p.isManagedCompanion { polByNS[p.namespace, default: []].append(p) }
        for k in polByNS.keys { polByNS[k]?.sort { $0.name < $1.name } }
        let companions = cluster.policies.filter(\.isManagedCompanion).sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        var world = World(namespaces: namespaces, namespaceNames: namespaces.keys.sorted(),
                          members: byNS.mapValues(NamespaceMembers.init), policiesByNamespace: polByNS,
                          managedCompanions: companions, hosts: [], hostsByRef: [:], ownerOfAddress: owner)
        world.setHosts(inventory.hosts)
        return (world, problems)
    }

    /// Every policy, by namespace and name.
    public var policies: [NetworkPolicy] {
        policiesByNamespace.keys.sorted().flatMap { policiesByNamespace[$0] ?? [] }
    }

    /// The workloads of one namespace, sorted by name; selection answers with indices into it.
    public func workloads(in namespace: String) -> [Workload] { members[namespace]?.workloads ?? [] }

    public func workload(ref: String) -> Workload? {
        let parts = ref.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let m = members[String(parts[0])], let i = m.index(name: String(parts[1])) else { return nil }
        return m.workloads[i]
    }

    /// The inventory host behind a workload, if it is one.
    public func host(of w: Workload) -> LegacyHost? {
        guard w.kind == .host, let i = hostsByRef[w.ref] else { return nil }
        return hosts[i]
    }

    public func host(named name: String) -> LegacyHost? { hosts.first { $0.name == name } }

    /// How `owner(of:)` names a workload: "pod ns/name" or "host name" (host names are unique).
    static func ownerText(_ w: Workload) -> String { w.kind == .pod ? "pod \(w.ref)" : "host \(w.name)" }

    /// Who holds this address, if anyone ("pod ns/name" or "host name").
    public func owner(of address: IPAddress) -> String? { ownerOfAddress[address] }

    /// Every workload, namespace by namespace (a copy: for the rare whole-world scan).
    public var allWorkloads: [Workload] { namespaceNames.flatMap { workloads(in: $0) } }

    /// Does any workload of the world satisfy `test`? Stops at the first.
    public func anyWorkload(where test: (Workload) -> Bool) -> Bool {
        members.values.contains { $0.workloads.contains(where: test) }
    }

    /// Calls `body` with every workload.
    public func forEachWorkload(_ body: (Workload) -> Void) {
        for n in namespaceNames { for w in workloads(in: n) { body(w) } }
    }
}

// MARK: - Updates, one object at a time (the incremental compiler's input)

extension World {
    /// Puts a workload in (replacing the one of its namespace, name and kind),
    /// or takes it out (`new` nil). Returns the one it replaced. Only its
    /// namespace's members are rebuilt.
    @discardableResult
    mutating func replaceWorkload(namespace: String, name: String, kind: Workload.Kind, with new: Workload?) -> Workload? {
        var list = members[namespace]?.workloads ?? []
        var old: Workload?
        if let i = members[namespace]?.index(name: name, kind: kind) { old = list.remove(at: i) }
        if old == nil && new == nil { return nil }
        if let old {
            let owner = World.ownerText(old)
            for a in old.addresses where ownerOfAddress[a] == owner { ownerOfAddress[a] = nil }
        }
        if let new {
            list.append(new)
            let owner = World.ownerText(new)
            for a in new.addresses where ownerOfAddress[a] == nil { ownerOfAddress[a] = owner }
        }
        members[namespace] = list.isEmpty ? nil : NamespaceMembers(list)
        return old
    }

    /// Adds or relabels a namespace; returns the one it replaced.
    @discardableResult
    mutating func setNamespace(_ ns: Namespace) -> Namespace? {
        let old = namespaces.updateValue(ns, forKey: ns.name)
        if old == nil { namespaceNames = namespaces.keys.sorted() }
        return old
    }

    @discardableResult
    mutating func removeNamespace(_ name: String) -> Namespace? {
        let old = namespaces.removeValue(forKey: name)
        if old != nil { namespaceNames = namespaces.keys.sorted() }
        return old
    }

    /// Adds or replaces a policy (`new`), or removes one; returns the policy
    /// it replaced. A managed companion goes to `managedCompanions` instead
    /// (and is never returned: it was never a policy of the world).
    @discardableResult
    mutating func replacePolicy(namespace: String, name: String, with new: NetworkPolicy?) -> NetworkPolicy? {
        managedCompanions.removeAll { $0.namespace == namespace && $0.name == name }
        var list = policiesByNamespace[namespace] ?? []
        var old: NetworkPolicy?
        if let i = list.firstIndex(where: { $0.name == name }) { old = list.remove(at: i) }
        if let new, new.isManagedCompanion {
            let at = managedCompanions.firstIndex { ($0.namespace, $0.name) > (namespace, name) } ?? managedCompanions.count
            managedCompanions.insert(new, at: at)
        } else if let new {
            let at = list.firstIndex { $0.name > new.name } ?? list.count
            list.insert(new, at: at)
        }
        policiesByNamespace[namespace] = list.isEmpty ? nil : list
        return old
    }

    /// The inventory's hosts, sorted by name (their workloads are placed separately).
    mutating func setHosts(_ new: [LegacyHost]) {
        hosts = new.sorted { $0.name < $1.name }
        hostsByRef = [:]
        for (i, h) in hosts.enumerated() where hostsByRef[h.ref] == nil { hostsByRef[h.ref] = i }
    }
}
