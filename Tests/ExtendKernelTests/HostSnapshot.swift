import ExtendCore

/// What a host's kernel holds, as its tools print it: `ipset save`,
/// `iptables-save -t filter`, `ip6tables-save -t filter`. Comment lines (they
/// carry the time) are dropped and packet counters zeroed, so two snapshots
/// are equal exactly when the rules and sets are.
struct HostSnapshot: Hashable, CustomStringConvertible {
    var ipset: String
    var iptables: String
    var ip6tables: String

    init(ipset: String, iptables: String, ip6tables: String) {
        self.ipset = ipset
        self.iptables = HostSnapshot.normalised(iptables)
        self.ip6tables = HostSnapshot.normalised(ip6tables)
    }

    /// Parsed the way apply parses a host it observes.
    func observed() throws -> ObservedHost {
        ObservedHost(
            sets: try ObservedParser.ipsetSave(ipset),
            tables: [.inet: try ObservedParser.iptablesSave(iptables), .inet6: try ObservedParser.iptablesSave(ip6tables)])
    }

    /// Every line that is not ours (mentions no `NPX-` chain and no `npx-` set).
    var foreign: HostSnapshot {
        func keep(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains(Naming.chainPrefix) && !$0.contains(Naming.setPrefix) }
                .joined(separator: "\n")
        }
        var s = self
        s.ipset = keep(ipset)
        s.iptables = keep(iptables)
        s.ip6tables = keep(ip6tables)
        return s
    }

    /// Whether anything of ours is left.
    var holdsOurs: Bool { self != foreign }

    /// `iptables -A INPUT -j NPX-INPUT`-style lines, counted per family.
    func count(_ line: String) -> (inet: Int, inet6: Int) {
        (iptables.split(separator: "\n").filter { $0 == line }.count,
         ip6tables.split(separator: "\n").filter { $0 == line }.count)
    }

    var description: String {
        "-- ipset save\n\(ipset)-- iptables-save -t filter\n\(iptables)\n-- ip6tables-save -t filter\n\(ip6tables)\n"
    }

    private static func normalised(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }
            .map { line in
                // ":INPUT ACCEPT [12:3456]" → ":INPUT ACCEPT [0:0]"
                guard line.hasPrefix(":"), let open = line.lastIndex(of: "["), line.hasSuffix("]") else { return String(line) }
                return line[..<open] + "[0:0]"
            }
            .joined(separator: "\n")
    }
}
