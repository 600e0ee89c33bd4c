/// What a host holds of ours, read back from `ipset save` and
/// `iptables-save` / `ip6tables-save`, in the same model render produces.
public struct ObservedHost: Hashable, Sendable {
    /// Our sets (including temporary twins left by an interrupted run).
    public var sets: [IPSetSpec]
    /// Per family: our chains and the jumps into them.
    public var tables: [AddressFamily: ObservedTable]
    /// "nf_tables" or "legacy", per family, as the host's iptables reports it.
    public var backends: [AddressFamily: String]

    public init(sets: [IPSetSpec] = [], tables: [AddressFamily: ObservedTable] = [:], backends: [AddressFamily: String] = [:]) {
        self.sets = sets
        self.tables = tables
        self.backends = backends
    }

    public var holdsNothing: Bool { sets.isEmpty && tables.values.allSatisfy(\.isEmpty) }
}

public struct ObservedTable: Hashable, Sendable {
    /// Our chains, top chains first, then by name.
    public var chains: [ChainSpec]
    /// Rules in built-in chains that jump into ours, in table order.
    public var jumps: [Jump]

    public struct Jump: Hashable, Sendable {
        public var builtin: String
        public var words: [String]
        public var target: String
    }

    public init(chains: [ChainSpec] = [], jumps: [Jump] = []) {
        self.chains = chains
        self.jumps = jumps
    }

    public var isEmpty: Bool { chains.isEmpty && jumps.isEmpty }
}

/// Parsers for what the host's tools print. Anything not ours is skipped, so
/// it can never enter a plan.
public enum ObservedParser {
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// `iptables-save -t filter` output (with or without `-c`: counters are skipped).
    public static func iptablesSave(_ text: String) throws(Failure) -> ObservedTable {
        var chains: [String: [RuleSpec]] = [:]
        var jumps: [ObservedTable.Jump] = []
        var inFilter = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingTrailingSpaces
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") { line = line[line.index(after: close)...].drop { $0 == " " } }
            if line.hasPrefix("*") { inFilter = line == "*filter"; continue }
            guard inFilter, !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.hasPrefix(":") {
                let name = String(line.dropFirst().prefix { $0 != " " })
                if Naming.ownsChain(name) && chains[name] == nil { chains[name] = [] }
                continue
            }
            guard line.hasPrefix("-A ") else { continue }
            let words: [String]
            do { words = try split(String(line)) } catch {
                throw Failure(description: "iptables-save line \(n + 1): \(error.description)")
            }
            guard words.count >= 2 else { continue }
            let chain = words[1]
            let rest = Array(words.dropFirst(2))
            if Naming.ownsChain(chain) {
                chains[chain, default: []].append(RuleSpec(rest))
            } else if let j = rest.firstIndex(of: "-j"), j + 1 < rest.count, Naming.ownsChain(rest[j + 1]) {
                jumps.append(.init(builtin: chain, words: rest, target: rest[j + 1]))
            }
        }
        let order = chains.keys.sorted { chainOrder($0) < chainOrder($1) }
        return ObservedTable(chains: order.map { ChainSpec(name: $0, rules: chains[$0] ?? []) }, jumps: jumps)
    }

    /// Top chains first (input, output), then the rest by name: the order render uses.
    static func chainOrder(_ name: String) -> (Int, String) {
        name == Naming.inputChain ? (0, name) : name == Naming.outputChain ? (1, name) : (2, name)
    }

    /// `ipset save` output: our sets only. A list:set's entries are set names;
    /// it takes the family of its members (the kernel keeps none for it).
    public static func ipsetSave(_ text: String) throws(Failure) -> [IPSetSpec] {
        var sets: [String: IPSetSpec] = [:]
        for (n, raw) in text.split(separator: "\n").enumerated() {
            let w = raw.split(separator: " ").map(String.init)
            guard w.count >= 2, Naming.ownsSet(w[1]) else { continue }
            switch w[0] {
            case "create":
                if w.count >= 3 && w[2] == IPSetSpec.Kind.listSet.rawValue {
                    sets[w[1]] = IPSetSpec(list: w[1], family: .inet, children: [])
                    continue
                }
                let family: AddressFamily = w.firstIndex(of: "family").flatMap { i in i + 1 < w.count ? AddressFamily(rawValue: w[i + 1]) : nil } ?? .inet
                sets[w[1]] = IPSetSpec(name: w[1], family: family, members: [])
            case "add":
                guard w.count >= 3 else { throw Failure(description: "ipset save line \(n + 1): add without a member in \(w[1])") }
                if sets[w[1]]?.kind == .listSet {
                    sets[w[1]]?.children.append(w[2])
                    continue
                }
                guard let cidr = CIDR(w[2], allowBareAddress: true) else {
                    throw Failure(description: "ipset save line \(n + 1): cannot read member of \(w[1])")
                }
                sets[w[1], default: IPSetSpec(name: w[1], family: cidr.family, members: [])]
                    .members.append(SetMember(cidr, nomatch: w.dropFirst(3).contains("nomatch")))
            default:
                continue
            }
        }
        return sets.keys.sorted().compactMap { k -> IPSetSpec? in
            guard var s = sets[k] else { return nil }
            s.members.sort()
            s.children.sort()
            if s.kind == .listSet, let f = s.children.lazy.compactMap({ sets[$0]?.family }).first { s.family = f }
            return s
        }
    }

    /// Splits a rule line into words the way iptables-restore reads quotes.
    static func split(_ line: String) throws(Failure) -> [String] {
        var words: [String] = []
        var cur = ""
        var inWord = false, quoted = false, escape = false
        for ch in line {
            if escape { cur.append(ch); escape = false; continue }
            if quoted {
                if ch == "\\" { escape = true } else if ch == "\"" { quoted = false } else { cur.append(ch) }
                continue
            }
            switch ch {
            case "\"": quoted = true; inWord = true
            case " ", "\t":
                if inWord { words.append(cur); cur = ""; inWord = false }
            default: cur.append(ch); inWord = true
            }
        }
        if quoted { throw Failure(description: "unterminated quote") }
        if inWord { words.append(cur) }
        return words
    }
}

extension Substring {
    var trimmingTrailingSpaces: Substring {
        var s = self
        while let l = s.last, l == " " || l == "\r" { s = s.dropLast() }
        return s
    }
}
