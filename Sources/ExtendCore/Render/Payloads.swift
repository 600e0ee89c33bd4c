/// The text fed to `ipset restore` and `iptables-restore --noflush` (or
/// `ip6tables-restore`). Each is applied whole: never one rule at a time.
public enum Payloads {
    /// Builds every set in a temporary twin, then swaps it in and destroys the
    /// twin, so a set in use is never seen empty or half-filled.
    /// Member sets come before the lists that hold them.
    public static func ipsetRestore(_ sets: [IPSetSpec]) -> String {
        var out = ""
        for s in sets.sorted(by: IPSetSpec.restoreOrder) { out += ipsetRestoreBlock(s) }
        return out
    }

    /// One set's part of a restore.
    static func ipsetRestoreBlock(_ s: IPSetSpec) -> String {
        let temp = Naming.tempSetName(s.name)
        let create = createArgs(s)
        var out = "create \(temp) \(create) -exist\n"
        out += "flush \(temp)\n"
        for e in s.entryTexts {
            out += "add \(temp) "
            out += e
            out += "\n"
        }
        out += "create \(s.name) \(create) -exist\n"
        out += "swap \(temp) \(s.name)\n"
        out += "destroy \(temp)\n"
        return out
    }

    /// The entries to delete and add to turn a live set into the wanted one,
    /// as restore lines; nil when a rebuild is the better way: another type,
    /// or more changes than half the wanted entries (a swap then is cheaper,
    /// and the set is never seen half old, half new). Each line is atomic in
    /// the kernel; `-exist` keeps a line that finds its work done from failing the batch.
    static func ipsetDelta(from have: IPSetSpec, to want: IPSetSpec) -> String? {
        guard have.kind == want.kind else { return nil }
        var del: [String] = [], add: [String] = []
        switch want.kind {
        case .hashNet:
            let (d, a) = SortedMerge.difference(have.members, want.members)
            // An entry is deleted by its network alone, whatever its nomatch flag.
            del = d.map { $0.cidr.isHost ? $0.cidr.address.description : $0.cidr.description }
            add = a.map(\.description)
        case .listSet:
            (del, add) = SortedMerge.difference(have.children, want.children)
        }
        guard del.count + add.count <= max(8, want.entryCount / 2) else { return nil }
        var out = ""
        for e in del { out += "del \(want.name) \(e) -exist\n" }
        for e in add { out += "add \(want.name) \(e) -exist\n" }
        return out
    }

    /// `create … -exist` succeeds on an existing set only if its limits are
    /// the same, and a set keeps its name while its members change: so the
    /// limits are fixed (they reserve no memory), and only the initial hash
    /// size, which the kernel ignores in that comparison, follows the members
    /// (sizing up front saves rehashing while the set fills).
    static func createArgs(_ s: IPSetSpec) -> String {
        switch s.kind {
        case .hashNet:
            var hashsize = 64
            while hashsize < s.members.count / 2 && hashsize < 1 << 20 { hashsize <<= 1 }
            return "hash:net family \(s.family.rawValue) hashsize \(hashsize) maxelem \(hashNetMaxElements)"
        case .listSet:
            // The kernel's default is 8 members.
            return "list:set size \(listSetSize)"
        }
    }

    /// Entries a hash:net set of ours may hold: an atom is one namespace's
    /// workloads, an ipBlock a handful of networks.
    public static let hashNetMaxElements = 1 << 20
    /// Sets a list:set of ours may hold: at most one atom per namespace and ipBlock.
    public static let listSetSize = 65536

    /// What to do with the jumps from INPUT/OUTPUT into our chains, decided
    /// by comparing with what the host holds (a fresh host: insert both).
    public struct JumpEdits: Hashable, Sendable {
        public var insert: [Direction]
        /// Existing rules in built-in chains that jump into ours, to delete (each exactly as the host holds it).
        public var delete: [ChainRule]
        /// Rules to append to built-in chains (a rollback putting back jumps as they were).
        public var append: [ChainRule]
        public init(insert: [Direction] = [], delete: [ChainRule] = [], append: [ChainRule] = []) {
            self.insert = insert
            self.delete = delete
            self.append = append
        }
    }

    public struct ChainRule: Hashable, Sendable {
        public var chain: String
        public var rule: RuleSpec
        public init(chain: String, rule: RuleSpec) {
            self.chain = chain
            self.rule = rule
        }
    }

    /// Redeclares our chains (a declared chain is flushed and refilled; nothing
    /// else in the table is flushed or reordered), edits the jumps, and
    /// removes chains of ours that are no longer wanted. One transaction.
    public static func iptablesRestore(chains: [ChainSpec], jumps: JumpEdits, removeChains: [String]) -> String {
        var out = "*filter\n"
        let remove = removeChains.sorted()
        for c in chains { out += ":\(c.name) - [0:0]\n" }
        // Declaring a chain empties it, which drops its references to the chains being removed.
        for c in remove { out += ":\(c) - [0:0]\n" }
        for d in jumps.delete { out += "-D \(d.chain) \(d.rule)\n" }
        for c in chains {
            for r in c.rules { out += "-A \(c.name) \(r)\n" }
        }
        for c in remove { out += "-X \(c)\n" }
        for d in jumps.insert { out += "-I \(Naming.builtinChain(d)) 1 -j \(Naming.topChain(d))\n" }
        for a in jumps.append { out += "-A \(a.chain) \(a.rule)\n" }
        out += "COMMIT\n"
        return out
    }
}
