/// Reads `extend render --output json` as it streams and measures it
/// (`RenderMetrics`), in either format:
///
///     {"hosts": [{"name", "needsNothing", "ruleSet": ID}],                            issue 10's
///      "ruleSets": [{"id", "digest", "matchSets": ["npx-…"], "chains": {"inet": ["NPX-INPUT", "NPX-OUTPUT", "NPX-…"]},
///                    "topChains": {"inet": {"NPX-INPUT": […], "NPX-OUTPUT": […]}}}],
///      "chains": [{"name", "family", "rules"}],
///      "sets": [{"name", "type", "family", "members"}], "warnings": […]}
///
///     {"hosts": [{"name", "sets": [{"name", "family", "members"}], "chains": …, "payloads": …}],
///      "warnings": […]}                                            before it
///
/// A host needs the sets its rules match and the members of the lists among
/// them (`matchSets`; an earlier form of issue 10's listed all of them as `sets`).
///
/// Keys may come in any order (the CLI sorts them, so `hosts` comes before
/// `sets`): hosts are resolved against the shared sets at the end. Member
/// strings are interned, so memory grows with distinct members and sets,
/// not with the size of the document.
public final class RenderOutputScanner {
    private let reader: JSONPullReader
    private var memberIndex: [String: Int32] = [:]
    private var memberNames: [String] = []
    private var sets: [String: ScannedSet] = [:]
    private var hosts: [ScannedHost] = []
    /// Rules of each chain listed once at the top level (issue 10's format).
    private var chainRules: [String: Int] = [:]
    /// Rule sets listed once at the top level, by id (issue 10's format): what hosts hold.
    private var ruleSets: [Int: ScannedHost] = [:]
    private var metrics = RenderMetrics()
    /// Per member, the last host (1-based) that counted it: distinct counts without a Set per host.
    private var seenBy: [Int32] = []
    private var stampNow: Int32 = 0

    struct ScannedSet {
        var entries: Int
        /// Interned hash:net members, nomatch left out; empty for a list:set.
        var addresses: [Int32]
        /// A list:set's members, by name.
        var children: [String] = []
    }

    struct ScannedHost {
        var name = ""
        var digest = ""
        /// The rule set it holds, when the document lists rule sets.
        var ruleSet: Int?
        var rules = 0
        var setNames: [String] = []
        /// Chains named by the host, whose rules are listed at the top level.
        var chainNames: [String] = []
        /// Entries and addresses of sets given inline (the older format).
        var inlineEntries = 0
        var inlineAddresses: [Int32] = []
    }

    /// `source` fills a buffer and returns the bytes written, 0 at the end.
    public init(chunkSize: Int = 1 << 20, source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        reader = JSONPullReader(chunkSize: chunkSize, source: source)
    }

    /// Measures a whole document held in memory (tests, small outputs).
    public static func scan(_ bytes: [UInt8], chunkSize: Int = 1 << 20) throws -> RenderMetrics {
        var offset = 0
        let scanner = RenderOutputScanner(chunkSize: chunkSize) { buffer in
            let n = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { all in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<(offset + n)]))
            }
            offset += n
            return n
        }
        return try scanner.run()
    }

    /// Reads the document to its end.
    public func run() throws -> RenderMetrics {
        try reader.object { key in
            switch key {
            case "hosts": try reader.array { hosts.append(try host()) }
            case "ruleSets":
                try reader.array {
                    let r = try host()
                    if let id = r.ruleSet { ruleSets[id] = r }
                }
            case "sets":
                if metrics.format == nil { metrics.format = .shared }
                try reader.array {
                    let (name, set) = try setObject()
                    sets[name] = set
                }
            case "chains":
                try reader.array {
                    var name = "", rules = 0
                    try reader.object { k in
                        switch k {
                        case "name": name = try reader.string()
                        case "rules": rules = try reader.count()
                        default: try reader.skip()
                        }
                    }
                    chainRules[name] = rules
                }
            case "warnings": metrics.warnings = try reader.count()
            default: try reader.skip()
            }
        }
        try reader.finish()
        metrics.sharedSets = sets.count
        metrics.hosts = hosts.map(resolve)
        for h in hosts { metrics.digests[h.name] = h.ruleSet.flatMap { ruleSets[$0]?.digest } ?? h.digest }
        return metrics
    }

    /// A host, or a rule set (the same fields; `id` for a rule set's number).
    private func host() throws -> ScannedHost {
        var h = ScannedHost()
        try reader.object { key in
            switch key {
            case "name": h.name = try reader.string()
            case "ruleSet", "id": h.ruleSet = try reader.optionalInt()
            case "digest": h.digest = try reader.string()
            case "chains":
                // A name per chain (its rules at the top level or in topChains), or the chain inline.
                try reader.object { _ in
                    try reader.array {
                        if try reader.peek() == JSONPullReader.quote {
                            h.chainNames.append(try reader.string())
                        } else {
                            try reader.object { k in
                                if k == "rules" { h.rules += try reader.count() } else { try reader.skip() }
                            }
                        }
                    }
                }
            case "topChains":
                try reader.object { _ in
                    try reader.object { _ in h.rules += try reader.count() }
                }
            case "sets", "matchSets":
                try reader.array {
                    if try reader.peek() == JSONPullReader.quote {
                        h.setNames.append(try reader.string())
                    } else {
                        metrics.format = .perHost
                        let (_, set) = try setObject()
                        h.inlineEntries += set.entries
                        h.inlineAddresses += set.addresses
                    }
                }
            default: try reader.skip()
            }
        }
        return h
    }

    private func setObject() throws -> (String, ScannedSet) {
        var name = ""
        var type: String?
        var entries = 0
        var members: [Int32] = []
        var texts: [String] = []
        try reader.object { key in
            switch key {
            case "name": name = try reader.string()
            case "type": type = try reader.string()
            case "members":
                try reader.array {
                    let m = try reader.string()
                    entries += 1
                    if type == "list:set" { texts.append(m) } else if !m.hasSuffix(" nomatch") { members.append(intern(m)) }
                }
            default: try reader.skip()
            }
        }
        // No type: the older format, whose sets all hold addresses. (The CLI sorts keys: type comes after members.)
        if type == "list:set" {
            return (name, ScannedSet(entries: entries, addresses: [], children: texts.isEmpty ? members.map(memberText) : texts))
        }
        return (name, ScannedSet(entries: entries, addresses: members))
    }

    /// The text of an interned member (list members read before the list's type).
    private func memberText(_ id: Int32) -> String { memberNames[Int(id)] }

    private func intern(_ member: String) -> Int32 {
        if let id = memberIndex[member] { return id }
        let id = Int32(memberIndex.count)
        memberIndex[member] = id
        memberNames.append(member)
        seenBy.append(0)
        return id
    }

    private func resolve(_ host: ScannedHost) -> RenderMetrics.Host {
        var h = host
        if let id = host.ruleSet, let r = ruleSets[id] {
            h.digest = r.digest
            h.rules = r.rules
            h.setNames = r.setNames
            h.chainNames = r.chainNames
        }
        stampNow += 1
        var entries = h.inlineEntries
        var distinct = 0
        func count(_ addresses: [Int32]) {
            for a in addresses where seenBy[Int(a)] != stampNow {
                seenBy[Int(a)] = stampNow
                distinct += 1
            }
        }
        count(h.inlineAddresses)
        var named = Set<String>()
        func add(_ name: String) {
            guard named.insert(name).inserted else { return }
            guard let set = sets[name] else {
                metrics.unknownSetNames += 1
                return
            }
            entries += set.entries
            count(set.addresses)
            // A list brings its members.
            for child in set.children { add(child) }
        }
        for name in h.setNames { add(name) }
        let listed = h.chainNames.reduce(0) { $0 + (chainRules[$1] ?? 0) }
        return RenderMetrics.Host(name: h.name, rules: h.rules + listed, setEntries: entries, distinctAddresses: distinct)
    }
}
