/// The comments our rules carry, so that a host's counters (`iptables-save -c`)
/// say which policy rule admitted a packet and which policies isolate a
/// direction whose final rule caught it. `AuditCounters` reads them back.
///
///     npx:allow POLICY DIRECTION INDEX   a rule of a policy chain: the policy's
///                                        ingress/egress rule number INDEX (from 0);
///                                        every iptables rule made from that policy
///                                        rule (ports × peers) carries the same one
///     npx:policy POLICY DIRECTION        in NPX-INPUT / NPX-OUTPUT: the jump to the
///                                        policy's chain, or, for a policy that admits
///                                        nothing in this family, a rule without a
///                                        target (it only counts)
///     npx:deny DIRECTION TAG             the final rule: -j DROP (enforce) or
///                                        -j ACCEPT (audit); TAG (8 hex) changes when
///                                        the isolating policies or their rules do
///
/// DIRECTION is `ingress` or `egress`. POLICY is `namespace/name`, or for a
/// name too long for a comment (the kernel keeps 255 bytes) its first
/// `PolicyLabel.keptCharacters` characters, `~`, and 16 hex digits of a hash
/// of the whole name (the desired state lists these labels).
public enum RuleComment: Hashable, Sendable {
    case allow(policy: String, direction: Direction, rule: Int)
    case policy(String, direction: Direction)
    case deny(direction: Direction, tag: String)

    static let allowWord = "npx:allow"
    static let policyWord = "npx:policy"
    static let denyWord = "npx:deny"

    /// The comment's text (policies as given: pass the label).
    public var text: String {
        switch self {
        case let .allow(p, d, i): return "\(Self.allowWord) \(p) \(d.word) \(i)"
        case let .policy(p, d): return "\(Self.policyWord) \(p) \(d.word)"
        case let .deny(d, tag): return "\(Self.denyWord) \(d.word) \(tag)"
        }
    }

    /// Reads one of ours back; nil for any other comment.
    public init?(text: String) {
        let w = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        switch w.first {
        case Self.allowWord?:
            guard w.count == 4, let d = Direction(word: w[2]), let i = Int(w[3]), i >= 0, !w[1].isEmpty else { return nil }
            self = .allow(policy: w[1], direction: d, rule: i)
        case Self.policyWord?:
            guard w.count == 3, let d = Direction(word: w[2]), !w[1].isEmpty else { return nil }
            self = .policy(w[1], direction: d)
        case Self.denyWord?:
            guard w.count == 3, let d = Direction(word: w[1]), !w[2].isEmpty else { return nil }
            self = .deny(direction: d, tag: w[2])
        default:
            return nil
        }
    }
}

/// A policy's name as the comments carry it, when the whole name would not
/// fit: what the label stands for.
public struct PolicyLabel: Hashable, Sendable, Codable {
    public var label: String
    public var policy: String

    public init(label: String, policy: String) {
        self.label = label
        self.policy = policy
    }

    /// Names up to this many bytes are their own label: the longest comment
    /// (`npx:allow LABEL egress INDEX`) then stays well inside 255 bytes.
    public static let longestWhole = 200
    static let keptCharacters = longestWhole - 17

    /// The label of a policy (`namespace/name`): the name itself when it fits.
    public static func label(_ policy: String) -> String {
        guard policy.utf8.count > longestWhole else { return policy }
        return String(decoding: policy.utf8.prefix(keptCharacters), as: UTF8.self) + "~" + Naming.hex(policy, 16)
    }

    /// The label of a policy whose name does not fit; nil when it needs none.
    static func forLong(_ policy: String) -> PolicyLabel? {
        policy.utf8.count > longestWhole ? PolicyLabel(label: label(policy), policy: policy) : nil
    }
}

extension Direction {
    /// `ingress` / `egress`, as comments and reports spell it.
    public var word: String { self == .ingress ? "ingress" : "egress" }
    public init?(word: String) {
        switch word {
        case "ingress": self = .ingress
        case "egress": self = .egress
        default: return nil
        }
    }
}
