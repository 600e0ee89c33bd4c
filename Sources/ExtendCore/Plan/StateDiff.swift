/// A unified diff of what a host holds of ours (-) against what it should
/// hold (+), section by section: each set, the jumps, each chain. Set members
/// are sorted, so they diff by merging; chain rules keep their order and diff
/// by longest common subsequence. Unchanged members are counted, not listed.
public enum StateDiff {
    public struct Result: Hashable, Sendable {
        public var text: String
        public var added: Int
        public var removed: Int
    }

    public static func diff(observed: ObservedHost, desired: HostDesiredState) -> Result {
        var out = ""
        var added = 0, removed = 0
        func emit(_ header: String, _ lines: [(Character, String)], unchanged: Int = 0) {
            guard lines.contains(where: { $0.0 != " " }) else { return }
            out += "@@ \(header) @@\n"
            for (mark, line) in lines {
                out.append(mark)
                out += line + "\n"
                if mark == "+" { added += 1 } else if mark == "-" { removed += 1 }
            }
            if unchanged > 0 { out += " … \(unchanged) unchanged members\n" }
        }
        let haveSets = Dictionary(observed.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let wantSets = Dictionary(desired.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in Set(haveSets.keys).union(wantSets.keys).sorted() {
            let h = haveSets[name], w = wantSets[name]
            var lines: [(Character, String)] = []
            if let w, h == nil { lines.append(("+", "create \(name) \(w.typeText)")) }
            if let h, w == nil { lines.append(("-", "create \(name) \(h.typeText)")) }
            let (changes, same) = (h?.kind ?? w?.kind) == .listSet
                ? mergeSorted(h?.children ?? [], w?.children ?? [])
                : mergeSorted(h?.members ?? [], w?.members ?? [])
            lines += changes.map { ($0.0, "add \(name) \($0.1)") }
            emit("ipset \(name)", lines, unchanged: same)
        }
        for f in AddressFamily.allCases {
            let cmd = f == .inet ? "iptables" : "ip6tables"
            let have = observed.tables[f] ?? ObservedTable()
            let want = desired.table(f)
            let haveJumps = have.jumps.map { "-A \($0.builtin) " + RuleSpec($0.words).description }
            let wantJumps = want == nil ? [] : Direction.allCases.map { "-A \(Naming.builtinChain($0)) -j \(Naming.topChain($0))" }
            emit("\(cmd) jumps", lcs(haveJumps, wantJumps))
            let haveChains = Dictionary(have.chains.map { ($0.name, $0.rules) }, uniquingKeysWith: { a, _ in a })
            let wantChains = Dictionary((want?.chains ?? []).map { ($0.name, $0.rules) }, uniquingKeysWith: { a, _ in a })
            let names = Set(haveChains.keys).union(wantChains.keys).sorted { ObservedParser.chainOrder($0) < ObservedParser.chainOrder($1) }
            for name in names {
                var lines: [(Character, String)] = []
                if haveChains[name] == nil { lines.append(("+", ":\(name)")) }
                if wantChains[name] == nil { lines.append(("-", ":\(name)")) }
                lines += lcs((haveChains[name] ?? []).map { "-A \(name) \($0)" }, (wantChains[name] ?? []).map { "-A \(name) \($0)" })
                emit("\(cmd) chain \(name)", lines)
            }
        }
        return Result(text: out, added: added, removed: removed)
    }

    /// Changes between two sorted lists, and how many members both hold.
    static func mergeSorted<T: Comparable & CustomStringConvertible>(_ a: [T], _ b: [T]) -> ([(Character, String)], Int) {
        var out: [(Character, String)] = []
        var same = 0
        SortedMerge.walk(a, b) { x, side in
            switch side {
            case .onlyFirst: out.append(("-", x.description))
            case .onlySecond: out.append(("+", x.description))
            case .both: same += 1
            }
        }
        return (out, same)
    }

    /// Line diff by longest common subsequence; unchanged lines are kept as context.
    static func lcs(_ a: [String], _ b: [String]) -> [(Character, String)] {
        let n = a.count, m = b.count
        var t = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : max(t[i + 1][j], t[i][j + 1])
                }
            }
        }
        var out: [(Character, String)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] { out.append((" ", a[i])); i += 1; j += 1 }
            else if j < m && (i == n || t[i][j + 1] >= t[i + 1][j]) { out.append(("+", b[j])); j += 1 }
            else { out.append(("-", a[i])); i += 1 }
        }
        return out
    }
}
