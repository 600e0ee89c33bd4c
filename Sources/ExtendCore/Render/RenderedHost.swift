/// One host's payloads as they would be applied to a host that holds none of
/// our rules yet, and the digest of its desired state.
public struct RenderedHost: Hashable, Sendable {
    public var host: String
    public var ipset: String
    /// iptables-restore text per family (empty when the host needs nothing).
    public var iptables: [AddressFamily: String]
    /// sha256 of the canonical state (see `digest(_:cache:)`): equal digests mean equal rules.
    public var digest: String

    /// - Parameter cache: shares the text of sets that many hosts hold.
    public init(_ s: HostDesiredState, cache: SetTextCache? = nil) {
        host = s.host
        let c = cache ?? SetTextCache()
        ipset = s.tables.flatMap(\.sets).map(c.restoreBlock).joined()
        var ipt: [AddressFamily: String] = [:]
        for t in s.tables {
            ipt[t.family] = Payloads.iptablesRestore(chains: t.chains, jumps: .init(insert: [.ingress, .egress]), removeChains: [])
        }
        iptables = ipt
        digest = RenderedHost.digest(s, cache: c)
    }

    /// sha256 of the canonical state: per family, every set the rules match
    /// by its name and a hash of what it holds (its entries; for a list, its
    /// members' names and hashes), computed once per set however many hosts
    /// hold it; the top chains rule by rule, and every other chain by its
    /// name, which is itself a hash of its family and rules. Equal digests
    /// mean equal rules.
    public static func digest(_ s: HostDesiredState, cache: SetTextCache) -> String {
        var byName: [String: IPSetSpec]?
        return digest(s.tables.map { ($0.family, $0.matched, $0.chains) }, cache: cache) { name in
            if byName == nil { byName = Dictionary(s.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
            return byName?[name]
        }
    }

    /// The same digest from a shared rule set, its sets looked up by name.
    public static func digest(_ r: RuleSet, cache: SetTextCache, set: (String) -> IPSetSpec?) -> String {
        digest(r.tables.map { ($0.family, $0.matched, $0.chains) }, cache: cache, set: set)
    }

    private static func digest(_ tables: [(family: AddressFamily, matched: [String], chains: [ChainSpec])],
                               cache: SetTextCache, set: (String) -> IPSetSpec?) -> String {
        digest(tables) { cache.contentHash($0, set) }
    }

    /// The same digest, each matched set's hash (`contentHash(of:child:)`)
    /// from `hash`: a memo that outlives one run (the controller's dry run
    /// plans every host after a sync, each with its own state).
    /// `hash` is given the set and a lookup of the host's other sets (a list's members).
    public static func digest(_ s: HostDesiredState, hash: (IPSetSpec, _ set: (String) -> IPSetSpec?) -> String) -> String {
        let byName = Dictionary(s.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let set = { (name: String) in byName[name] }
        return digest(s.tables.map { ($0.family, $0.matched, $0.chains) }) { name in set(name).map { hash($0, set) } ?? "absent" }
    }

    /// A set's hash as the digest takes it: its type and entries; for a list,
    /// its members by name and by `child`, the hash of each.
    public static func contentHash(of s: IPSetSpec, child: (String) -> String) -> String {
        let entries = s.kind == .hashNet ? s.entryTexts : s.children.map { "\($0) \(child($0))" }
        return Naming.sha256Hex(s.kind.rawValue + "\n" + entries.joined(separator: "\n"))
    }

    private static func digest(_ tables: [(family: AddressFamily, matched: [String], chains: [ChainSpec])],
                               hash: (String) -> String) -> String {
        var text = ""
        for t in tables {
            text += "family \(t.family.rawValue)\n"
            for name in t.matched { text += "match \(name) \(hash(name))\n" }
            for c in t.chains {
                text += ":\(c.name)\n"
                guard c.name == Naming.inputChain || c.name == Naming.outputChain else { continue }
                for r in c.rules { text += "-A \(c.name) \(r)\n" }
            }
        }
        return Naming.sha256Hex(text)
    }
}

/// Memo of each set's restore text and entries hash, keyed by its name; a
/// name stands for one content within one run.
public final class SetTextCache {
    private var blocks: [String: String] = [:]
    private var hashes: [String: String] = [:]
    public init() {}
    func restoreBlock(_ s: IPSetSpec) -> String {
        if let hit = blocks[s.name] { return hit }
        let b = Payloads.ipsetRestoreBlock(s)
        blocks[s.name] = b
        return b
    }
    /// A hash of the set's type and what it holds: a hash:net set's entries,
    /// a list's members by name and content.
    func contentHash(_ name: String, _ set: (String) -> IPSetSpec?) -> String {
        if let hit = hashes[name] { return hit }
        let h: String
        if let s = set(name) {
            h = RenderedHost.contentHash(of: s) { contentHash($0, set) }
        } else {
            h = "absent"
        }
        hashes[name] = h
        return h
    }
}

extension RenderedHost {
    /// The section `extend render` prints for a host.
    public func text(_ host: LegacyHost, dropLogs: [DropLogTag] = [], policyLabels: [PolicyLabel] = []) -> String {
        var out = "== \(host.name) (\(host.ref)) digest sha256:\(digest)\n"
        if iptables.isEmpty {
            return out + "   no policy isolates this host: it needs no rules (apply removes any of ours)\n\n"
        }
        switch host.enforcement {
        case .enforce: out += "-- enforcement: enforce (what no policy admits is dropped)\n"
        case .audit: out += "-- enforcement: audit (what no policy admits is counted against the isolating policies, then accepted)\n"
        }
        out += "-- ipset restore\n" + ipset
        for f in AddressFamily.allCases {
            guard let p = iptables[f] else { continue }
            out += "-- \(f == .inet ? "iptables" : "ip6tables")-restore --noflush\n" + p
        }
        for t in dropLogs {
            out += "-- drop log prefix \"\(t.prefix)\": \(t.direction.rawValue.lowercased()) of \(t.host), isolated by \(t.policies.joined(separator: ", "))\n"
        }
        for l in policyLabels {
            out += "-- policy label \(l.label): \(l.policy) (its name is too long for a rule comment)\n"
        }
        return out + "\n"
    }
}
