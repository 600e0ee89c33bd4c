/// What one legacy host must hold: per address family, our IP sets and our
/// chains. Everything is sorted, so equal inputs give equal values.
public struct HostDesiredState: Hashable, Sendable {
    public var host: String
    /// One table per family; empty when the host needs nothing (no direction isolated).
    public var tables: [FamilyTable]
    /// Drop-log prefixes and what they stand for (only with logDrops).
    public var dropLogs: [DropLogTag]
    /// What the final rule of each isolated direction does.
    public var enforcement: Enforcement
    /// The policies whose names are too long for a rule comment, by the
    /// label the comments carry instead (`RuleComment`), sorted by label.
    public var policyLabels: [PolicyLabel]

    public init(host: String, tables: [FamilyTable], dropLogs: [DropLogTag] = [], enforcement: Enforcement = .enforce,
                policyLabels: [PolicyLabel] = []) {
        self.host = host
        self.tables = tables
        self.dropLogs = dropLogs
        self.enforcement = enforcement
        self.policyLabels = policyLabels
    }

    init(host: String, tables: [FamilyTable], rules: RuleSet) {
        self.init(host: host, tables: tables, dropLogs: rules.dropLogs, enforcement: rules.enforcement,
                  policyLabels: rules.policyLabels)
    }

    /// What a host holds when nothing of ours should be on it: no policy
    /// isolates it, or it has left the inventory. Applying it removes every
    /// chain, jump and set of ours.
    public static func nothing(host: String) -> HostDesiredState {
        HostDesiredState(host: host, tables: [], dropLogs: [])
    }

    public var needsNothing: Bool { tables.isEmpty }
    public func table(_ f: AddressFamily) -> FamilyTable? { tables.first { $0.family == f } }
    public var sets: [IPSetSpec] { tables.flatMap(\.sets) }
}

public struct FamilyTable: Hashable, Sendable {
    public var family: AddressFamily
    /// Every set the rules need: those they match and the members of the
    /// lists among them. Members before lists, each kind sorted by name.
    public var sets: [IPSetSpec]
    /// Top-level chains first (input, output), then the policy chains sorted by name.
    public var chains: [ChainSpec]
    /// The names of the sets the rules match, sorted.
    public var matched: [String]

    public init(family: AddressFamily, sets: [IPSetSpec], chains: [ChainSpec], matched: [String]) {
        self.family = family
        self.sets = sets
        self.chains = chains
        self.matched = matched
    }
}

/// The rules that hosts isolated alike share, before their sets are
/// gathered: per family, the chains and the sets their rules match by name.
public struct RuleSet: Hashable, Sendable {
    public struct Table: Hashable, Sendable {
        public var family: AddressFamily
        /// The names of the sets the rules match, sorted; a list's members are not among them.
        public var matched: [String]
        /// Top-level chains first (input, output), then the policy chains sorted by name.
        public var chains: [ChainSpec]
    }
    public var tables: [Table]
    public var dropLogs: [DropLogTag]
    public var enforcement: Enforcement
    public var policyLabels: [PolicyLabel]
}

/// One IP set of ours. A `hash:net` set holds addresses and networks: the
/// members of one atom of selection (a namespace × pod selector), or an
/// ipBlock with its `except` entries as `nomatch`. A `list:set` holds other
/// sets by name: a peer spanning several atoms (namespaces) is the list of
/// them, so addresses are stored once per atom, never copied into every set
/// that includes them. Names derive from what the set stands for (its
/// definition), not from its members, so a member change is an entry change.
public struct IPSetSpec: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Comparable {
        case hashNet = "hash:net"
        case listSet = "list:set"
        /// Members before the lists that hold them: a restore adds a set to a
        /// list only once it exists, and a list goes before its members on destroy.
        public static func < (a: Self, b: Self) -> Bool { a == .hashNet && b == .listSet }
    }

    public var name: String
    public var kind: Kind
    public var family: AddressFamily
    /// hash:net: sorted; nomatch entries carve an ipBlock's `except` out of its cidr.
    public var members: [SetMember]
    /// list:set: the names of the member sets, sorted.
    public var children: [String]

    public init(name: String, family: AddressFamily, members: [SetMember]) {
        self.name = name
        kind = .hashNet
        self.family = family
        self.members = members
        children = []
    }

    public init(list name: String, family: AddressFamily, children: [String]) {
        self.name = name
        kind = .listSet
        self.family = family
        members = []
        self.children = children
    }

    /// Entries as the kernel counts them.
    public var entryCount: Int { kind == .hashNet ? members.count : children.count }

    /// Same type and entries (a list:set read back from a host has no family of its own).
    public func sameContent(as other: IPSetSpec) -> Bool {
        kind == other.kind && members == other.members && children == other.children
    }

    /// The entries as `ipset save` prints them after the set's name.
    public var entryTexts: [String] { kind == .hashNet ? members.map(\.description) : children }

    /// Restore order: members before lists, then by name.
    public static func restoreOrder(_ a: IPSetSpec, _ b: IPSetSpec) -> Bool { (a.kind, a.name) < (b.kind, b.name) }

    /// Destroy order: lists before their members, then by name.
    public static func destroyOrder(_ a: IPSetSpec, _ b: IPSetSpec) -> Bool { (b.kind, a.name) < (a.kind, b.name) }
}

public struct SetMember: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var cidr: CIDR
    public var nomatch: Bool
    public init(_ cidr: CIDR, nomatch: Bool = false) {
        self.cidr = cidr
        self.nomatch = nomatch
    }
    public static func < (a: Self, b: Self) -> Bool { (a.cidr, a.nomatch ? 1 : 0) < (b.cidr, b.nomatch ? 1 : 0) }
    /// As `ipset save` prints it: hosts without a prefix length.
    public var description: String {
        (cidr.isHost ? cidr.address.description : cidr.description) + (nomatch ? " nomatch" : "")
    }
}

public struct ChainSpec: Hashable, Sendable {
    public var name: String
    public var rules: [RuleSpec]

    public init(name: String, rules: [RuleSpec]) {
        self.name = name
        self.rules = rules
    }
}

/// One rule as the argument words after `-A CHAIN`, in the order
/// `iptables-save` prints them, so desired and observed compare word for word.
public struct RuleSpec: Hashable, Sendable, CustomStringConvertible {
    public var words: [String]
    public init(_ words: [String]) { self.words = words }
    public var description: String { words.map(RuleSpec.quote).joined(separator: " ") }

    /// Quotes a word the way iptables-restore reads it back.
    /// (Byte by byte: Foundation's substring search, which `contains` took,
    /// was a tenth of a large render: every rule's comment is quoted.)
    public static func quote(_ w: String) -> String {
        var plain = !w.isEmpty
        var escapes = false
        for b in w.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: ","), UInt8(ascii: "!"):
                continue
            case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                plain = false
                escapes = true
            default:
                plain = false
            }
        }
        if plain { return w }
        guard escapes else { return "\"" + w + "\"" }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(w.utf8.count + 8)
        for b in w.utf8 {
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}

/// What a drop-log prefix stands for, so `extend explain --why PREFIX` can name it.
public struct DropLogTag: Hashable, Sendable, Codable {
    public var prefix: String
    public var host: String
    public var direction: Direction
    public var policies: [String]
}

extension IPSetSpec {
    /// The type as a diff shows it.
    var typeText: String { kind == .hashNet ? "hash:net family \(family.rawValue)" : kind.rawValue }
}
