/// The desired state of every host, kept up to date one change at a time:
/// what the controller calls on every event. Pure: changes in, the hosts
/// whose state changed and their set deltas out. A member change touches
/// only the atoms that can hold that member and the hosts that hold them; a
/// change of shape recompiles only the hosts isolated by the policies built on it.
public final class IncrementalCompiler {
    private let compiler: Compiler
    private let extraGuard: [CIDR]
    public private(set) var states: [String: HostDesiredState] = [:]
    private var hostsBySet: [String: Set<String>] = [:]
    private var hostsByPolicy: [String: Set<String>] = [:]
    private var policiesOfHost: [String: Set<String>] = [:]

    public init(world: World, extraGuard: [CIDR] = []) {
        compiler = Compiler(world: world)
        self.extraGuard = extraGuard
        for h in world.hosts { record(h, compiler.compile(h, extraGuard: extraGuard)) }
    }

    public var world: World { compiler.world }

    /// Applies the changes in order, then answers for them all at once.
    public func apply(_ changes: [ClusterChange]) -> CompileDelta {
        compiler.dropTablesMemo()
        var inv = PeerResolver.Invalidation()
        var recompile: Set<String> = []
        var removed: Set<String> = []
        let peers = compiler.peers
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
                recompile.formUnion(policyChanged(p.id, p.namespace, [old?.podSelector, p.podSelector]))
            case .policyDeleted(let ns, let name):
                let old = peers.world.replacePolicy(namespace: ns, name: name, with: nil)
                recompile.formUnion(policyChanged("\(ns)/\(name)", ns, [old?.podSelector]))
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
        peers.drop(inv)
        return finish(recompile: recompile.subtracting(removed), removed: removed, changedSets: inv.changedSets)
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

    private func finish(recompile: Set<String>, removed: Set<String>, changedSets: [String: IPSetSpec]) -> CompileDelta {
        var out: [String: CompileDelta.Host] = [:]
        for name in removed {
            guard let old = states[name] else { continue }
            forget(name)
            states[name] = nil
            // Reported even when it needed nothing: apply makes sure it holds nothing of ours.
            out[name] = .init(name: name, state: .nothing(host: name), structural: !old.needsNothing, removed: true)
        }
        let hosts = Dictionary(compiler.world.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in recompile {
            guard let h = hosts[name] else { continue }
            let old = states[name]
            forget(name)
            let new = compiler.compile(h, extraGuard: extraGuard)
            record(h, new)
            if old != new {
                out[name] = .init(name: name, state: new, structural: old.map { !Self.sameShape($0, new) } ?? true, removed: false)
            }
        }
        // Members changed in place: every other host that holds such a set.
        var setDeltas: [String: CompileDelta.SetEntries] = [:]
        for (name, before) in changedSets {
            guard let after = compiler.peers.spec(name) else { continue }
            let (del, add) = Payloads.sortedDifference(before.entryTexts.sorted(), after.entryTexts.sorted())
            if del.isEmpty && add.isEmpty { continue }
            setDeltas[name] = .init(delete: del, add: add)
            for h in hostsBySet[name] ?? [] where !recompile.contains(h) {
                guard var s = states[h] else { continue }
                for t in s.tables.indices {
                    for i in s.tables[t].sets.indices where s.tables[t].sets[i].name == name { s.tables[t].sets[i] = after }
                }
                states[h] = s
                out[h] = .init(name: h, state: s, structural: false, removed: false)
            }
        }
        let touched = Set(out.values.flatMap { $0.state.sets.map(\.name) })
        return CompileDelta(hosts: out.keys.sorted().compactMap { out[$0] },
                            sets: setDeltas.filter { touched.contains($0.key) })
    }

    /// Two states with the same chains and the same sets (by name): they differ at most in members.
    static func sameShape(_ a: HostDesiredState, _ b: HostDesiredState) -> Bool {
        a.dropLogs == b.dropLogs && a.tables.map(\.family) == b.tables.map(\.family)
            && zip(a.tables, b.tables).allSatisfy { $0.chains == $1.chains && $0.sets.map(\.name) == $1.sets.map(\.name) }
    }

    private func record(_ h: LegacyHost, _ s: HostDesiredState) {
        states[h.name] = s
        for set in s.sets { hostsBySet[set.name, default: []].insert(h.name) }
        let me = h.workload
        let selection = compiler.selection
        let policies = Set(Direction.allCases.flatMap { selection.isolating(me, $0).map(\.id) })
        policiesOfHost[h.name] = policies
        for p in policies { hostsByPolicy[p, default: []].insert(h.name) }
    }

    private func forget(_ name: String) {
        for set in states[name]?.sets ?? [] { hostsBySet[set.name]?.remove(name) }
        for p in policiesOfHost[name] ?? [] { hostsByPolicy[p]?.remove(name) }
        policiesOfHost[name] = nil
    }
}
