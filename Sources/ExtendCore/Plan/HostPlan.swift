/// What apply must do to one host to make it hold exactly its desired state,
/// and the diff a person reads before a change window.
public struct HostPlan: Hashable, Sendable {
    public enum Step: Hashable, Sendable {
        /// `ipset restore`: missing sets built and swapped in; a set whose
        /// entries changed gets its entry deltas (`del`, `add`) or, when most
        /// of it changed, is rebuilt and swapped in.
        case ipsetRestore(String)
        /// `iptables-restore --noflush` (or ip6tables-): our chains and jumps, one transaction.
        case iptablesRestore(AddressFamily, String)
        /// Our sets nothing refers to any more, destroyed one by one (one still
        /// in use by a rule that is not ours is left and reported).
        case ipsetDestroy([String])
    }

    public var host: String
    /// In order. Empty: the host is converged and gets no writes at all.
    public var steps: [Step]
    /// A unified diff, observed (-) against desired (+), by section.
    public var diff: String
    public var added: Int
    public var removed: Int

    public var inSync: Bool { steps.isEmpty }
}

/// Desired against observed → the steps and the diff. Pure.
public enum Planner {
    public static func plan(_ desired: HostDesiredState, observed: ObservedHost) -> HostPlan {
        var steps: [HostPlan.Step] = []
        let observedSets = Dictionary(observed.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let desiredSets = desired.sets
        let wantedNames = Set(desiredSets.map(\.name))

        // 1. Sets first, so that the chains loaded next find them; members
        // before the lists that hold them.
        var restore = ""
        for want in desiredSets.sorted(by: IPSetSpec.restoreOrder) {
            guard let have = observedSets[want.name] else {
                restore += Payloads.ipsetRestoreBlock(want)
                continue
            }
            if have.sameContent(as: want) { continue }
            restore += Payloads.ipsetDelta(from: have, to: want) ?? Payloads.ipsetRestoreBlock(want)
        }
        if !restore.isEmpty { steps.append(.ipsetRestore(restore)) }

        // 2. Chains and jumps, per family, one transaction each.
        for f in AddressFamily.allCases {
            let have = observed.tables[f] ?? ObservedTable()
            let want = desired.table(f)
            if let payload = iptablesStep(want: want, have: have) {
                steps.append(.iptablesRestore(f, payload))
            }
        }

        // 3. Sets of ours that nothing wants any more (after the chains stopped using them).
        // Lists first: a set that a list holds cannot be destroyed before it.
        let stale = observed.sets.filter { !wantedNames.contains($0.name) }.sorted(by: IPSetSpec.destroyOrder).map(\.name)
        if !stale.isEmpty { steps.append(.ipsetDestroy(stale)) }

        let d = StateDiff.diff(observed: observed, desired: desired)
        return HostPlan(host: desired.host, steps: steps, diff: d.text, added: d.added, removed: d.removed)
    }

    /// nil when the family already holds exactly what is wanted.
    static func iptablesStep(want: FamilyTable?, have: ObservedTable) -> String? {
        let haveNames = Set(have.chains.map(\.name))
        guard let want else {
            // Needs nothing: remove every jump and chain of ours, if any.
            if have.isEmpty { return nil }
            return Payloads.iptablesRestore(chains: [], jumps: .init(delete: have.jumps.map(\.asChainRule)),
                                            removeChains: Array(haveNames))
        }
        // Exactly one plain jump from INPUT and from OUTPUT; any other jump into our chains goes.
        var keep: Set<Direction> = []
        var delete: [Payloads.ChainRule] = []
        for j in have.jumps {
            if let d = Direction.allCases.first(where: { Naming.builtinChain($0) == j.builtin && Naming.topChain($0) == j.target }),
               j.words == ["-j", j.target], !keep.contains(d) {
                keep.insert(d)
            } else {
                delete.append(j.asChainRule)
            }
        }
        let insert = Direction.allCases.filter { !keep.contains($0) }
        // Only the chains that differ are declared (which flushes and refills
        // them): a chain the host already holds as wanted keeps its rules and
        // with them their packet counters. Policy chains are named by their
        // content, so a changed policy gets a new chain (counting from zero)
        // and the others stay as they are.
        let held = Dictionary(have.chains.map { ($0.name, $0.rules) }, uniquingKeysWith: { a, _ in a })
        let changed = want.chains.filter { held[$0.name] != $0.rules }
        let remove = haveNames.subtracting(want.chains.map(\.name))
        if changed.isEmpty && remove.isEmpty && insert.isEmpty && delete.isEmpty { return nil }
        return Payloads.iptablesRestore(
            chains: changed,
            jumps: .init(insert: insert, delete: delete),
            removeChains: Array(remove))
    }
}

extension ObservedTable.Jump {
    var asChainRule: Payloads.ChainRule { .init(chain: builtin, rule: RuleSpec(words)) }
}
