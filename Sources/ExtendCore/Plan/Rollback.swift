/// How to put a host back as it was before an apply, computed from what was
/// read off it. Each part is safe to run whatever point the apply reached:
/// sets are rebuilt whole (idempotent), the chains of a family are restored
/// only if that family's transaction went through, and sets the apply added
/// are destroyed one by one, ignoring those that never came to exist.
public struct RollbackPayloads: Hashable, Sendable {
    /// `ipset restore`: every set of ours the host held, with its old members.
    public var ipset: String
    /// Per family, `iptables-restore --noflush` from the applied state back to the old one.
    public var iptables: [AddressFamily: String]
    /// Sets the apply may have created that did not exist before.
    public var destroy: [String]

    public static func plan(back observed: ObservedHost, from desired: HostDesiredState) -> RollbackPayloads {
        let ipset = Payloads.ipsetRestore(observed.sets)
        var tables: [AddressFamily: String] = [:]
        for f in AddressFamily.allCases {
            let old = observed.tables[f] ?? ObservedTable()
            let new = desired.table(f)
            // The jumps the apply leaves: one plain jump per direction when the family is wanted.
            var newJumps: [Payloads.ChainRule] = new == nil ? [] : Direction.allCases.map {
                .init(chain: Naming.builtinChain($0), rule: RuleSpec(["-j", Naming.topChain($0)]))
            }
            var append: [Payloads.ChainRule] = []
            for j in old.jumps {
                let r = j.asChainRule
                if let i = newJumps.firstIndex(of: r) { newJumps.remove(at: i) } else { append.append(r) }
            }
            let newNames = Set(new?.chains.map(\.name) ?? [])
            let oldNames = Set(old.chains.map(\.name))
            let payload = Payloads.iptablesRestore(
                chains: old.chains,
                jumps: .init(delete: newJumps, append: append),
                removeChains: Array(newNames.subtracting(oldNames)))
            if old.isEmpty && new == nil { continue }
            tables[f] = payload
        }
        let oldSets = Set(observed.sets.map(\.name))
        let destroy = desired.sets.filter { !oldSets.contains($0.name) }.sorted(by: IPSetSpec.destroyOrder).map(\.name)
        return RollbackPayloads(ipset: ipset, iptables: tables, destroy: destroy)
    }
}
