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

    /// sha256 of the canonical state: every set by its name and the hash of
    /// its entries (computed once per set, however many hosts hold it), the
    /// top chains rule by rule, and every other chain by its name, which is
    /// itself a hash of its family and rules. Equal digests mean equal rules.
    public static func digest(_ s: HostDesiredState, cache: SetTextCache) -> String {
        var text = ""
        for t in s.tables {
            text += "family \(t.family.rawValue)\n"
            for set in t.sets { text += "ipset \(set.name) \(set.kind.rawValue) \(cache.entriesHash(set))\n" }
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
    func entriesHash(_ s: IPSetSpec) -> String {
        if let hit = hashes[s.name] { return hit }
        let h = Naming.sha256Hex(s.entryTexts.joined(separator: "\n"))
        hashes[s.name] = h
        return h
    }
}

/// The canonical listing used for digests and diffs. Desired and observed
/// states print through the same function, so a line differs only when the
/// rules do.
public enum StateText {
    /// - Parameter members: list each set's members (for people and diffs),
    ///   or only its name, which is a hash of them (for digests).
    public static func desired(_ s: HostDesiredState, members: Bool = true) -> String {
        var families: [AddressFamily: (sets: [IPSetSpec], chains: [ChainSpec], jumps: [String])] = [:]
        for t in s.tables {
            let jumps = Direction.allCases.map { "-A \(Naming.builtinChain($0)) -j \(Naming.topChain($0))" }
            families[t.family] = (t.sets, t.chains, jumps)
        }
        return render(families, members: members)
    }

    static func render(_ families: [AddressFamily: (sets: [IPSetSpec], chains: [ChainSpec], jumps: [String])], members: Bool = true) -> String {
        var out = ""
        for f in AddressFamily.allCases {
            guard let t = families[f] else { continue }
            let cmd = f == .inet ? "iptables" : "ip6tables"
            for s in t.sets.sorted(by: { $0.name < $1.name }) {
                out += "ipset \(s.name) \(s.kind.rawValue)" + (s.kind == .hashNet ? " family \(f.rawValue)\n" : "\n")
                if members { for e in s.entryTexts { out += "ipset \(s.name) add \(e)\n" } }
            }
            for j in t.jumps { out += "\(cmd) \(j)\n" }
            for c in t.chains {
                out += "\(cmd) :\(c.name)\n"
                for r in c.rules { out += "\(cmd) -A \(c.name) \(r)\n" }
            }
        }
        return out
    }
}

extension RenderedHost {
    /// The section `extend render` prints for a host.
    public func text(_ host: LegacyHost, dropLogs: [DropLogTag] = []) -> String {
        var out = "== \(host.name) (\(host.ref)) digest sha256:\(digest)\n"
        if iptables.isEmpty {
            return out + "   no policy isolates this host: it needs no rules (apply removes any of ours)\n\n"
        }
        out += "-- ipset restore\n" + ipset
        for f in AddressFamily.allCases {
            guard let p = iptables[f] else { continue }
            out += "-- \(f == .inet ? "iptables" : "ip6tables")-restore --noflush\n" + p
        }
        for t in dropLogs {
            out += "-- drop log prefix \"\(t.prefix)\": \(t.direction.rawValue.lowercased()) of \(t.host), isolated by \(t.policies.joined(separator: ", "))\n"
        }
        return out + "\n"
    }
}
