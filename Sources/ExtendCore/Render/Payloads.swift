/// The text fed to `ipset restore` and `iptables-restore --noflush` (or
/// `ip6tables-restore`). Each is applied whole: never one rule at a time.
public enum Payloads {
    /// Builds every set in a temporary twin, then swaps it in and destroys the
    /// twin, so a set in use is never seen empty or half-filled.
    public static func ipsetRestore(_ sets: [IPSetSpec]) -> String {
        var out = ""
        for s in sets.sorted(by: { $0.name < $1.name }) {
            let temp = Naming.tempSetName(s.name)
            let create = createArgs(s)
            out += "create \(temp) \(create) -exist\n"
            out += "flush \(temp)\n"
            for m in s.members { out += "add \(temp) \(m)\n" }
            out += "create \(s.name) \(create) -exist\n"
            out += "swap \(temp) \(s.name)\n"
            out += "destroy \(temp)\n"
        }
        return out
    }

    /// Sizing up front saves the kernel rehashing while the set fills.
    static func createArgs(_ s: IPSetSpec) -> String {
        var hashsize = 64
        while hashsize < s.members.count / 2 && hashsize < 1 << 20 { hashsize <<= 1 }
        var maxelem = 65536
        while maxelem < s.members.count * 2 { maxelem <<= 1 }
        return "hash:net family \(s.family.rawValue) hashsize \(hashsize) maxelem \(maxelem)"
    }

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
