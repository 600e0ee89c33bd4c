/// Recomputing only what a change touches. A memo whose answer keeps its
/// shape (the same sets, non-empty as before) only changes members: the set
/// table gets the new members (and the journal the old ones) and nothing that
/// uses it is rebuilt. A peer target whose atoms fill or empty is rebuilt at
/// once: if it still matches the same sets, only a list's members changed
/// (the hosts holding the list refresh their set list); if not, its shape
/// changed, and the compiler drops the chains of the policies that used it.
extension PeerResolver {
    struct Invalidation {
        /// Targets (and named-port targets) whose shape changed: their policies' chains go.
        var targets: Set<Int> = []
        var named: Set<Int> = []
        /// Lists whose members changed: the hosts holding them refresh their set list.
        var lists: Set<String> = []
    }

    /// A workload of `namespace` went from `old` to `new` (either may be nil).
    func workloadChanged(namespace: String, old: Workload?, new: Workload?, into inv: inout Invalidation) {
        func touches(_ sel: LabelSelector) -> Bool {
            (old.map { sel.matches($0.labels) } ?? false) || (new.map { sel.matches($0.labels) } ?? false)
        }
        var targets: Set<Int> = [], named: Set<Int> = []
        for key in atomKeysByNamespace[namespace] ?? [] where touches(key.pods) {
            guard let before = atoms[key] else { continue }
            let after = computeAtom(key)
            if before == nil && after == nil { continue }
            atoms[key] = .some(after?.name)
            if let after { store(after) }
            // An atom that fills or empties joins or leaves its peers' lists.
            if (before == nil) != (after == nil) {
                for span in spansByAtom[key] ?? [] {
                    spans[span] = nil
                    targets.formUnion(targetsBySpan[span] ?? [])
                }
            }
        }
        for key in namedAtomKeysByNamespace[namespace] ?? [] where touches(key.atom.pods) {
            guard let before = namedAtoms[key] else { continue }
            let after = storing(computeNamedAtom(key))
            namedAtoms[key] = after
            if before.map(\.port) != after.map(\.port) {
                for span in namedSpansByNamedAtom[key] ?? [] {
                    namedSpans[span] = nil
                    named.formUnion(namedByNamedSpan[span] ?? [])
                }
            }
        }
        // A port the workload did not have may be the first of its name in
        // the namespace: the peers that passed the namespace over ask it again.
        let had = Set((old?.namedPorts ?? []).map { NamespaceMembers.PortName(name: $0.name, proto: $0.proto) })
        for p in new?.namedPorts ?? [] {
            let port = NamespaceMembers.PortName(name: p.name, proto: p.proto)
            guard !had.contains(port), let passed = namedSpansSkipping.removeValue(forKey: port) else { continue }
            for span in passed {
                namedSpans[span] = nil
                named.formUnion(namedByNamedSpan[span] ?? [])
            }
        }
        indexChanged(old: old, new: new)
        let addresses = (old?.addresses ?? []) + (new?.addresses ?? [])
        for (key, before) in blocks where addresses.contains(where: key.block.contains) {
            let after = storing(updatedBlock(key, before, old: old, new: new))
            blocks[key] = after
            if before.map(\.port) != after.map(\.port) { named.formUnion(namedByBlock[key] ?? []) }
        }
        rebuild(targets: targets, named: named, into: &inv)
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
        if appearedOrWent { forgetAddressIndex() }
        namespaceSelections.forget()
        // Peers reach other namespaces now: their atoms are listed again as their targets are rebuilt.
        spans = [:]
        namedSpans = [:]
        // (Who passed over which namespace stays: the targets not rebuilt
        // here still hold what those peers gave them.)
        let targets = Set(targetCache.keys.filter { touches(targetIDs.keys[$0].rule) })
        let named = Set(namedCache.keys.filter {
            let rule = namedIDs.keys[$0].target.rule
            return touches(rule) || (appearedOrWent && rule.allowsAllPeers)
        })
        rebuild(targets: targets, named: named, into: &inv)
    }

    /// Rebuilds targets now: the same sets matched → only list members
    /// changed; other sets (a rule appears or goes) → a change of shape.
    private func rebuild(targets: Set<Int>, named: Set<Int>, into inv: inout Invalidation) {
        for t in targets {
            let key = targetIDs.keys[t]
            guard let before = targetCache[t] else { continue }
            targetCache[t] = nil
            let after = self.targets(key.rule, policyNamespace: key.namespace, family: key.family).targets
            if before.map(\.set) == after.map(\.set) {
                inv.lists.formUnion(after.compactMap(\.set).filter { spec($0)?.kind == .listSet })
            } else {
                inv.targets.insert(t)
            }
        }
        for n in named {
            let key = namedIDs.keys[n]
            guard let before = namedCache[n] else { continue }
            namedCache[n] = nil
            let after = destinationsByPort(key.target.rule, policyNamespace: key.target.namespace, family: key.target.family,
                                           name: key.name, proto: key.proto).targets
            if before.map(\.port) == after.map(\.port) && before.map(\.target.set) == after.map(\.target.set) {
                inv.lists.formUnion(after.compactMap(\.target.set).filter { spec($0)?.kind == .listSet })
            } else {
                inv.named.insert(n)
            }
        }
    }
}
