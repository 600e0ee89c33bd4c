/// Recomputing only what a change touches. A memo whose answer keeps its
/// shape (the same sets, non-empty as before) only changes members: the set
/// table gets the new members and nothing that uses it is rebuilt. A memo
/// whose shape changed (an atom emptied or filled, a named port now resolving
/// to another number) drops the peer targets built on it, and the compiler
/// drops the chains of the policies that used those.
extension PeerResolver {
    struct Invalidation {
        /// Peer targets (and named-port targets) to rebuild: their shape may have changed.
        var targets: Set<Int> = []
        var named: Set<Int> = []
        /// Sets whose members changed in place, with their members before the change.
        var changedSets: [String: IPSetSpec] = [:]
    }

    /// A workload of `namespace` went from `old` to `new` (either may be nil).
    func workloadChanged(namespace: String, old: Workload?, new: Workload?, into inv: inout Invalidation) {
        func touches(_ sel: LabelSelector) -> Bool {
            (old.map { sel.matches($0.labels) } ?? false) || (new.map { sel.matches($0.labels) } ?? false)
        }
        for key in atomKeysByNamespace[namespace] ?? [] where touches(key.pods) {
            guard let before = atoms[key] else { continue }
            let after = computeAtom(key)
            if before == nil && after == nil { continue }
            atoms[key] = .some(after?.name)
            if let after, let name = before {
                replace(name, with: after, into: &inv)
            } else {
                if let after { store(after) }
                inv.targets.formUnion(targetsByAtom[key] ?? [])
            }
        }
        for key in namedAtomKeysByNamespace[namespace] ?? [] where touches(key.atom.pods) {
            guard let before = namedAtoms[key] else { continue }
            let after = computeNamedAtom(key)
            update(before, after, into: &inv, dependents: namedByNamedAtom[key] ?? [])
            namedAtoms[key] = after.map { PortSet(port: $0.port, name: $0.set.name) }
        }
        let addresses = (old?.addresses ?? []) + (new?.addresses ?? [])
        for (key, before) in blocks where addresses.contains(where: key.block.contains) {
            let after = computeBlock(key)
            update(before, after, into: &inv, dependents: namedByBlock[key] ?? [])
            blocks[key] = after.map { PortSet(port: $0.port, name: $0.set.name) }
        }
    }

    /// A namespace was added, relabelled or removed: the peers whose
    /// namespace selector picked it before or picks it now are rebuilt.
    func namespaceChanged(old: Namespace?, new: Namespace?, into inv: inout Invalidation) {
        func touches(_ rule: NetworkPolicy.Rule) -> Bool {
            rule.peers.contains { peer in
                guard case .workloads(_, let nsSel?) = peer else { return false }
                return (old.map { nsSel.matches($0.labels) } ?? false) || (new.map { nsSel.matches($0.labels) } ?? false)
            }
        }
        let appearedOrWent = (old == nil) != (new == nil)
        namespaceMemo = [:]
        for key in targetCache.keys where touches(key.rule) { inv.targets.insert(id(key)) }
        for key in namedCache.keys where touches(key.target.rule) || (appearedOrWent && key.target.rule.allowsAllPeers) {
            inv.named.insert(id(key))
        }
    }

    /// Forgets the targets to rebuild; the next compile resolves them anew.
    func drop(_ inv: Invalidation) {
        for k in inv.targets { targetCache[targetKeys[k]] = nil }
        for k in inv.named { namedCache[namedKeys[k]] = nil }
    }

    /// Named-port sets before and after: the same ports keep their sets (members
    /// may change); another set of ports is a change of shape.
    private func update(_ before: [PortSet], _ after: [(port: Int, set: IPSetSpec)], into inv: inout Invalidation, dependents: Set<Int>) {
        if before.map(\.port) == after.map(\.port) {
            for (b, a) in zip(before, after) { replace(b.name, with: a.set, into: &inv) }
        } else {
            for a in after { store(a.set) }
            inv.named.formUnion(dependents)
        }
    }

    private func replace(_ name: String, with after: IPSetSpec, into inv: inout Invalidation) {
        guard let before = spec(name), !before.sameContent(as: after) else { return }
        if inv.changedSets[name] == nil { inv.changedSets[name] = before }
        store(after)
    }
}
