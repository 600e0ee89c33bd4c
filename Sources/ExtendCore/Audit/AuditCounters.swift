/// What a host's own rules counted, read from `iptables-save -c` (and
/// `ip6tables-save -c`) of the filter table: per isolated direction, the
/// packets that reached the final rule (denied: dropped in enforce, let
/// through in audit) and the policies that isolate the host there; per policy
/// rule, the packets it admitted. Both families are summed. Only what the
/// host has loaded counts: the policies are named by the rules' comments
/// (`RuleComment`), not by what the manifests say now.
///
/// Counters start at zero when a rule is loaded: an apply that changes a
/// policy gives it a new chain, and the final rule of a direction whose
/// isolating policies changed is a new rule (its comment's tag changed).
public struct AuditCounters: Hashable, Sendable {
    public struct Denied: Hashable, Sendable {
        public var direction: Direction
        /// The policies that isolate the host in this direction, as the rules
        /// name them (labels for names too long for a comment), in rule order.
        public var policies: [String]
        public var packets: UInt64
        public var bytes: UInt64
        /// The final rules' tags (`RuleComment.deny`), one per distinct value
        /// (the families agree unless an apply is under way), sorted.
        public var tags: [String]

        public init(direction: Direction, policies: [String], packets: UInt64, bytes: UInt64, tags: [String]) {
            self.direction = direction
            self.policies = policies
            self.packets = packets
            self.bytes = bytes
            self.tags = tags
        }
    }

    public struct Allowed: Hashable, Sendable {
        public var direction: Direction
        public var policy: String
        /// The rule's index in the policy's `ingress` or `egress` list.
        public var rule: Int
        /// Summed over every iptables rule made from it (ports × peers × family).
        public var packets: UInt64
        public var bytes: UInt64

        public init(direction: Direction, policy: String, rule: Int, packets: UInt64, bytes: UInt64) {
            self.direction = direction
            self.policy = policy
            self.rule = rule
            self.packets = packets
            self.bytes = bytes
        }
    }

    /// What the final rules do: nil when the host holds none of ours, or when
    /// its families disagree (an apply between its two transactions).
    public var enforcement: Enforcement?
    /// Ingress before egress; only the directions the host's rules isolate,
    /// with zero packets too.
    public var denied: [Denied]
    /// By direction (ingress first), policy, rule; rules that admitted
    /// nothing are listed with zero packets (candidates for tightening).
    public var allowed: [Allowed]

    public init(enforcement: Enforcement? = nil, denied: [Denied] = [], allowed: [Allowed] = []) {
        self.enforcement = enforcement
        self.denied = denied
        self.allowed = allowed
    }

    /// The host holds no rule of ours that counts.
    public var isEmpty: Bool { denied.isEmpty && allowed.isEmpty }

    /// Packets the final rules caught, all directions.
    public var deniedPackets: UInt64 { denied.reduce(0) { $0 + $1.packets } }

    /// Policies named by a label (`PolicyLabel`) get their whole names back.
    public func resolving(_ labels: [PolicyLabel]) -> AuditCounters {
        guard !labels.isEmpty else { return self }
        let byLabel = Dictionary(labels.map { ($0.label, $0.policy) }, uniquingKeysWith: { a, _ in a })
        var out = self
        for i in out.denied.indices { out.denied[i].policies = out.denied[i].policies.map { byLabel[$0] ?? $0 } }
        for i in out.allowed.indices { out.allowed[i].policy = byLabel[out.allowed[i].policy] ?? out.allowed[i].policy }
        out.allowed.sort(by: Self.order)
        return out
    }

    static func order(_ a: Allowed, _ b: Allowed) -> Bool { (a.direction, a.policy, a.rule) < (b.direction, b.policy, b.rule) }
}

extension AuditCounters {
    /// Reads the counters from the `-c` output of `iptables-save` and
    /// `ip6tables-save` (either may be absent or empty). Lines that are not
    /// ours, and rules of ours without one of our comments, are skipped; a
    /// rule line of ours without its `[packets:bytes]` is an error (the text
    /// was saved without `-c`).
    public static func parse(_ saves: [AddressFamily: String]) throws(ObservedParser.Failure) -> AuditCounters {
        var isolating: [Direction: [String]] = [:]
        var denied: [Direction: (packets: UInt64, bytes: UInt64, tags: Set<String>)] = [:]
        var verdicts: Set<String> = []
        var allowed: [AllowedKey: (packets: UInt64, bytes: UInt64)] = [:]
        for f in AddressFamily.allCases {
            guard let text = saves[f] else { continue }
            let tool = f == .inet ? "iptables-save" : "ip6tables-save"
            var inFilter = false
            for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingTrailingSpaces
                if line.hasPrefix("*") { inFilter = line == "*filter"; continue }
                guard inFilter, !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(":") else { continue }
                func failure(_ why: String) -> ObservedParser.Failure {
                    ObservedParser.Failure(description: "\(tool) -c line \(n + 1): \(why)")
                }
                let (count, rest) = try counters(line, failure)
                guard rest.hasPrefix("-A ") else { continue }
                let words: [String]
                do { words = try ObservedParser.split(String(rest)) } catch { throw failure(error.description) }
                guard words.count >= 2, Naming.ownsChain(words[1]) else { continue }
                guard let count else { throw failure("a rule of ours without its counters (save with -c)") }
                guard let c = words.firstIndex(of: "--comment"), c + 1 < words.count,
                      let comment = RuleComment(text: words[c + 1]) else { continue }
                let top = words[1] == Naming.inputChain || words[1] == Naming.outputChain
                switch comment {
                case let .policy(p, d) where top:
                    if !(isolating[d]?.contains(p) ?? false) { isolating[d, default: []].append(p) }
                case let .deny(d, tag) where top:
                    var e = denied[d] ?? (0, 0, [])
                    e.packets += count.packets
                    e.bytes += count.bytes
                    e.tags.insert(tag)
                    denied[d] = e
                    if let j = words.firstIndex(of: "-j"), j + 1 < words.count { verdicts.insert(words[j + 1]) }
                case let .allow(p, d, i) where !top:
                    let k = AllowedKey(direction: d, policy: p, rule: i)
                    var e = allowed[k] ?? (0, 0)
                    e.packets += count.packets
                    e.bytes += count.bytes
                    allowed[k] = e
                default:
                    continue
                }
            }
        }
        var out = AuditCounters()
        if verdicts.count == 1, let v = verdicts.first { out.enforcement = Enforcement.allCases.first { $0.verdict == v } }
        out.denied = Direction.allCases.compactMap { d in
            guard let e = denied[d] else { return nil }
            return Denied(direction: d, policies: isolating[d] ?? [], packets: e.packets, bytes: e.bytes, tags: e.tags.sorted())
        }
        out.allowed = allowed.map { k, e in
            Allowed(direction: k.direction, policy: k.policy, rule: k.rule, packets: e.packets, bytes: e.bytes)
        }.sorted(by: order)
        return out
    }

    private struct AllowedKey: Hashable {
        var direction: Direction
        var policy: String
        var rule: Int
    }

    /// `[packets:bytes] ` in front of a rule, as `-c` prints it; nil when absent.
    private static func counters(_ line: Substring, _ failure: (String) -> ObservedParser.Failure)
        throws(ObservedParser.Failure) -> ((packets: UInt64, bytes: UInt64)?, Substring) {
        guard line.hasPrefix("[") else { return (nil, line) }
        guard let close = line.firstIndex(of: "]") else { throw failure("unterminated counters") }
        let pair = line[line.index(after: line.startIndex)..<close].split(separator: ":", omittingEmptySubsequences: false)
        guard pair.count == 2, let p = UInt64(pair[0]), let b = UInt64(pair[1]) else {
            throw failure("cannot read the counters \(line[...close])")
        }
        return ((p, b), line[line.index(after: close)...].drop { $0 == " " })
    }
}
