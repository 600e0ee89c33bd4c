/// The desired state of every host, kept up to date one change at a time:
/// what the controller calls on every event. Pure: changes in, the hosts
/// whose state changed and their set deltas out.
///
/// A member change touches only the atoms that can hold that member; the
/// hosts that hold them are reported by name, and their state reads the new
/// members from the set table when asked (`state(of:)`), so a pod that moves
/// costs the atoms it leaves and joins, not the hosts that hold them. A
/// change of shape recompiles only the hosts it reaches: those holding a list
/// whose atoms changed (with every chain still cached), and those isolated by
/// a policy whose rules changed.
public final class IncrementalCompiler {
    private var compiler: Compiler
    private let extraGuard: [CIDR]
    /// Per host, its state as last compiled; the sets' members may be older
    /// than the set table's, which is what `state(of:)` reads.
    private var skeletons: [String: HostDesiredState] = [:]
    private var hostsBySet: [String: Set<String>] = [:]
    private var hostsByPolicy: [String: Set<String>] = [:]
    private var policiesOfHost: [String: Set<String>] = [:]
    /// Per host, when it was last compiled and the rule set it got then (see `StateKey`).
    private var ruleSetOfHost: [String: (compiled: Int, ruleSet: Int)] = [:]
    /// The current batch's number: the set table's members change only
    /// between two. Numbers are unique in the process (`BatchNumbers`), so a
    /// key of a compiler that was replaced (a relist) never meets a new one's.
    private var batches = BatchNumbers.next()

    /// Hosts whose states have the same key hold the same tables and set
    /// members (only their host names differ): the same rule set of the same
    /// compile, asked for in the same batch. A host's digest need not be made
    /// again for each host that shares it.
    public struct StateKey: Hashable, Sendable {
        public let compiled: Int
        public let ruleSet: Int
        /// The batch it was asked for in: the members it was materialised with.
        public let batch: Int
    }

    public init(world: World, extraGuard: [CIDR] = []) {
        compiler = Compiler(world: world)
        self.extraGuard = extraGuard
        compileAll()
    }

    private func compileAll() {
        for h in compiler.world.hosts { update(h, from: nil, to: compile(h), reisolate: true) }
    }

    private func compile(_ h: LegacyHost) -> HostDesiredState {
        let (state, id) = compiler.compileSharing(h, extraGuard: extraGuard)
        ruleSetOfHost[h.name] = id.map { (batches, $0) }
        return state
    }

    /// Sets, memos and rule numbers are kept for whatever was ever resolved:
    /// those of deleted policies and namespaces stay until this drops them.
    /// It compiles every host again from the world as it is now (the same
    /// states; the next batch's delta is unaffected), so a long-running
    /// controller calls it when it resyncs anyway. Returns how many sets it dropped.
    @discardableResult
    public func compact() -> Int {
        let before = setCount
        compiler = Compiler(world: compiler.world)
        skeletons = [:]
        hostsBySet = [:]
        hostsByPolicy = [:]
        policiesOfHost = [:]
        ruleSetOfHost = [:]
        // A new compiler numbers its rule sets afresh: keys of before must not meet them.
        batches = BatchNumbers.next()
        compileAll()
        return before - setCount
    }

    /// How many sets the engine keeps (current ones and, until `compact()`, stale ones).
    public var setCount: Int { compiler.peers.setCount }

    public var world: World { compiler.world }

    /// A host's desired state now; nil for a host not in the inventory.
    public func state(of host: String) -> HostDesiredState? {
        skeletons[host].map { materialize($0) { compiler.peers.spec($0) } }
    }

    /// The same, with its key (nil for a host that needs nothing).
    public func keyedState(of host: String) -> (state: HostDesiredState, key: StateKey?)? {
        state(of: host).map { ($0, ruleSetOfHost[host].map { StateKey(compiled: $0.compiled, ruleSet: $0.ruleSet, batch: batches) }) }
    }

    /// Every host's desired state now.
    public var states: [String: HostDesiredState] {
        Dictionary(uniqueKeysWithValues: skeletons.keys.compactMap { h in state(of: h).map { (h, $0) } })
    }

    private func materialize(_ s: HostDesiredState, _ spec: (String) -> IPSetSpec?) -> HostDesiredState {
        var out = s
        for t in out.tables.indices {
            for i in out.tables[t].sets.indices {
                if let now = spec(out.tables[t].sets[i].name) { out.tables[t].sets[i] = now }
            }
        }
        return out
    }

    /// Applies the changes in order, then answers for them all at once.
    public func apply(_ changes: [ClusterChange]) -> CompileDelta {
        compiler.dropTablesMemo()
        batches = BatchNumbers.next()
        let peers = compiler.peers
        peers.journal = [:]
        var inv = PeerResolver.Invalidation()
        var recompile: Set<String> = []
        var removed: Set<String> = []
        // Hosts whose isolating policies may have changed (a policy or the host itself changed).
        var reisolate: Set<String> = []
        for change in changes {
            switch change {
            case .pod(let p):
                let new = p.isSelectable ? p.workload : nil
                let old = peers.world.replaceWorkload(namespace: p.namespace, name: p.name, kind: .pod, with: new)
                peers.workloadChanged(namespace: p.namespace, old: old, new: new, into: &inv)
            case .podDeleted(let ns, let name):
                let old = peers.world.replaceWorkload(namespace: ns, name: name, kind: .pod, with: nil)
                peers.workloadChanged(namespace: ns, old: old, new: nil, into: &inv)
            case .namespace(let ns):
                let old = peers.world.setNamespace(ns)
                peers.namespaceChanged(old: old, new: ns, into: &inv)
            case .namespaceDeleted(let name):
                let old = peers.world.removeNamespace(name)
                peers.namespaceChanged(old: old, new: nil, into: &inv)
            case .policy(let p):
                let old = peers.world.replacePolicy(namespace: p.namespace, name: p.name, with: p)
                let reached = policyChanged(p.id, p.namespace, [old?.podSelector, p.podSelector])
                recompile.formUnion(reached)
                reisolate.formUnion(reached)
            case .policyDeleted(let ns, let name):
                let old = peers.world.replacePolicy(namespace: ns, name: name, with: nil)
                let reached = policyChanged("\(ns)/\(name)", ns, [old?.podSelector])
                recompile.formUnion(reached)
                reisolate.formUnion(reached)
            case .host(let h):
                let old = peers.world.host(named: h.name)
                if let old, old.namespace != h.namespace {
                    let gone = peers.world.replaceWorkload(namespace: old.namespace, name: old.name, kind: .host, with: nil)
                    peers.workloadChanged(namespace: old.namespace, old: gone, new: nil, into: &inv)
                }
                let before = peers.world.replaceWorkload(namespace: h.namespace, name: h.name, kind: .host, with: h.workload)
                peers.workloadChanged(namespace: h.namespace, old: before, new: h.workload, into: &inv)
                peers.world.setHosts(peers.world.hosts.filter { $0.name != h.name } + [h])
                recompile.insert(h.name)
                reisolate.insert(h.name)
                removed.remove(h.name)
            case .hostDeleted(let name):
                guard let old = peers.world.host(named: name) else { continue }
                let gone = peers.world.replaceWorkload(namespace: old.namespace, name: old.name, kind: .host, with: nil)
                peers.workloadChanged(namespace: old.namespace, old: gone, new: nil, into: &inv)
                peers.world.setHosts(peers.world.hosts.filter { $0.name != name })
                removed.insert(name)
                recompile.remove(name)
            }
        }
        // Shapes that changed: the policies built on them, and the hosts those isolate.
        for t in inv.targets {
            for p in compiler.policiesByTarget[t] ?? [] { recompile.formUnion(dropPolicy(p)) }
        }
        for n in inv.named {
            for p in compiler.policiesByNamed[n] ?? [] { recompile.formUnion(dropPolicy(p)) }
        }
        // Lists whose atoms changed: their holders' set lists change, their chains do not.
        for l in inv.lists { recompile.formUnion(hostsBySet[l] ?? []) }
        let journal = peers.journal ?? [:]
        peers.journal = nil
        return finish(recompile: recompile.subtracting(removed), reisolate: reisolate, removed: removed, journal: journal)
    }

    /// The hosts a policy change can reach: those its old or new pod selector
    /// picks in its namespace, and those it isolated.
    private func policyChanged(_ id: String, _ namespace: String, _ selectors: [LabelSelector?]) -> Set<String> {
        var out = dropPolicy(id)
        for h in compiler.world.hosts where h.namespace == namespace {
            if selectors.contains(where: { $0?.matches(h.labels) ?? false }) { out.insert(h.name) }
        }
        return out
    }

    private func dropPolicy(_ id: String) -> Set<String> {
        compiler.dropChains(of: id)
        return hostsByPolicy[id] ?? []
    }

    /// - Parameter journal: what each set that changed in this batch held before it.
    private func finish(recompile: Set<String>, reisolate: Set<String>, removed: Set<String>,
                        journal: [String: IPSetSpec]) -> CompileDelta {
        let peers = compiler.peers
        var out: [String: CompileDelta.Host] = [:]
        for name in removed {
            guard let old = skeletons[name] else { continue }
            forget(name)
            skeletons[name] = nil
            // Reported even when it needed nothing: apply makes sure it holds nothing of ours.
            out[name] = .init(name: name, structural: !old.needsNothing, removed: true)
        }
        let hosts = Dictionary(compiler.world.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in recompile {
            guard let h = hosts[name] else { continue }
            // As it was before the batch: the journal holds the members that changed.
            let old = skeletons[name].map { materialize($0) { journal[$0] ?? peers.spec($0) } }
            let new = compile(h)
            update(h, from: skeletons[name], to: new, reisolate: reisolate.contains(name) || old == nil)
            if let old, old == new { continue }
            out[name] = .init(name: name, structural: old.map { !Self.sameShape($0, new) } ?? true, removed: false)
        }
        // Sets whose entries changed, for every host that holds one: the
        // recompiled ones are above, the others changed members only.
        var setDeltas: [String: CompileDelta.SetEntries] = [:]
        for (name, before) in journal {
            guard let after = peers.spec(name), let holders = hostsBySet[name], !holders.isEmpty else { continue }
            let (del, add) = SortedMerge.difference(before.entryTexts.sorted(), after.entryTexts.sorted())
            if del.isEmpty && add.isEmpty { continue }
            setDeltas[name] = .init(delete: del, add: add)
            for h in holders where out[h] == nil && !recompile.contains(h) {
                out[h] = .init(name: h, structural: false, removed: false)
            }
        }
        return CompileDelta(hosts: out.keys.sorted().compactMap { out[$0] }, sets: setDeltas)
    }

    /// Two states with the same chains and the same sets (by name): they differ at most in members.
    static func sameShape(_ a: HostDesiredState, _ b: HostDesiredState) -> Bool {
        a.dropLogs == b.dropLogs && a.enforcement == b.enforcement && a.policyLabels == b.policyLabels && a.tables.map(\.family) == b.tables.map(\.family)
            && zip(a.tables, b.tables).allSatisfy { $0.chains == $1.chains && $0.sets.map(\.name) == $1.sets.map(\.name) }
    }

    private func isolatingPolicies(_ h: LegacyHost) -> Set<String> {
        let pool = compiler.world.policiesByNamespace[h.namespace] ?? []
        return Set(compiler.isolatingIndices(h.workload).joined().map { pool[$0].id })
    }

    /// Records a host as compiled, touching only the set names it gained or
    /// lost, and its isolating policies only when they may have changed.
    private func update(_ h: LegacyHost, from old: HostDesiredState?, to new: HostDesiredState, reisolate: Bool) {
        skeletons[h.name] = new
        if let old {
            let before = Set(old.sets.map(\.name)), after = Set(new.sets.map(\.name))
            if before != after {
                for n in before.subtracting(after) { hostsBySet[n]?.remove(h.name) }
                for n in after.subtracting(before) { hostsBySet[n, default: []].insert(h.name) }
            }
        } else {
            // Compiled for the first time (every host, after a sync): each of its sets, as it is.
            for t in new.tables {
                for set in t.sets { hostsBySet[set.name, default: []].insert(h.name) }
            }
        }
        guard reisolate else { return }
        for p in policiesOfHost[h.name] ?? [] { hostsByPolicy[p]?.remove(h.name) }
        let policies = isolatingPolicies(h)
        policiesOfHost[h.name] = policies
        for p in policies { hostsByPolicy[p, default: []].insert(h.name) }
    }

    private func forget(_ name: String) {
        for set in skeletons[name]?.sets ?? [] { hostsBySet[set.name]?.remove(name) }
        for p in policiesOfHost[name] ?? [] { hostsByPolicy[p]?.remove(name) }
        policiesOfHost[name] = nil
        ruleSetOfHost[name] = nil
    }
}
