import Foundation
import LabSupport

/// What a lab host's firewall holds, read with the host's own tools and
/// normalised so that two readings compare equal exactly when the rules do:
/// counters, timestamps and ipset's random `initval` are dropped; set members
/// are sorted (their order is the hash table's); each chain keeps its rule
/// order.
struct HostState: Equatable, CustomStringConvertible {
    /// Our part: `npx-` sets and `NPX-` chains and jumps, per family.
    var ours: String
    /// Everything else: every table of `iptables-save` and `ip6tables-save`
    /// without lines of ours, in order, and the sets that are not ours.
    var foreign: String

    var description: String { "ours:\n\(ours)\nforeign:\n\(foreign)" }

    /// True when the host holds nothing of ours.
    var holdsNothingOfOurs: Bool { ours.isEmpty }

    static func read(_ lab: Lab, _ host: LabHost) throws -> HostState {
        let out = try lab.shell(host, """
            ipset save || exit 1
            echo "#npx-test iptables"
            iptables-save || exit 1
            echo "#npx-test ip6tables"
            ip6tables-save || exit 1
            """)
        var sections: [String: [Substring]] = [:]
        var current = "ipset"
        for line in out.split(separator: "\n") {
            if line.hasPrefix("#npx-test ") { current = String(line.dropFirst(10)); continue }
            sections[current, default: []].append(line)
        }
        var ours: [String] = []
        var foreign: [String] = []
        let sets = (sections["ipset"] ?? []).map(normaliseSetLine)
        func isOurs(_ line: String) -> Bool { line.split(separator: " ").dropFirst().first?.hasPrefix("npx-") == true }
        ours += sets.filter(isOurs).sorted()
        foreign += sets.filter { !isOurs($0) }.sorted()
        for family in ["iptables", "ip6tables"] {
            let (o, f) = splitTables(sections[family] ?? [])
            if !o.isEmpty { ours.append("# \(family)"); ours += o }
            foreign.append("# \(family)")
            foreign += f
        }
        return HostState(ours: ours.joined(separator: "\n"), foreign: foreign.joined(separator: "\n"))
    }

    /// `create NAME … initval 0x…`: initval is chosen at random when a set is made.
    static func normaliseSetLine(_ line: Substring) -> String {
        var words = line.split(separator: " ").map(String.init)
        if let i = words.firstIndex(of: "initval"), i + 1 < words.count { words.removeSubrange(i...(i + 1)) }
        return words.joined(separator: " ")
    }

    /// Splits `iptables-save` output into our lines (chains sorted by name,
    /// each with its rules in order) and the rest (in order, counters dropped).
    static func splitTables(_ lines: [Substring]) -> (ours: [String], foreign: [String]) {
        var ours: [String: [String]] = [:]
        var foreign: [String] = []
        var table = ""
        for raw in lines {
            if raw.hasPrefix("#") { continue }
            var line = String(raw)
            if line.hasPrefix("*") { table = line }
            if line.hasPrefix(":"), let bracket = line.range(of: " [", options: .backwards) {
                line = String(line[..<bracket.lowerBound])
            }
            guard line.contains("NPX-") else {
                foreign.append(line)
                continue
            }
            // Group by the chain the line declares or appends to, in table order within a chain.
            let words = line.split(separator: " ")
            let chain = line.hasPrefix(":") ? String(words[0].dropFirst()) : words.count > 1 ? String(words[1]) : line
            ours["\(table) \(chain)", default: []].append(line)
        }
        let sorted = ours.keys.sorted().flatMap { ours[$0] ?? [] }
        return (sorted, dropEmptyTables(foreign))
    }

    /// A table with no rules and only built-in chains that accept is the
    /// same as no table (iptables-save prints nothing before a table is first
    /// used, and an emptied table stays behind).
    static func dropEmptyTables(_ lines: [String]) -> [String] {
        var out: [String] = []
        var block: [String] = []
        for line in lines {
            if line.hasPrefix("*") { block = [line]; continue }
            guard !block.isEmpty else { out.append(line); continue }
            block.append(line)
            if line == "COMMIT" {
                let body = block.dropFirst().dropLast()
                let empty = body.allSatisfy { $0.hasPrefix(":") && $0.hasSuffix(" ACCEPT") && !$0.dropFirst().hasPrefix("NPX-") }
                    && body.allSatisfy { ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"].contains(String($0.dropFirst().prefix { $0 != " " })) }
                if !empty { out += block }
                block = []
            }
        }
        return out + block
    }
}
