import ExtendCore

/// What `observe` printed, parsed into the model render produces, and the
/// hash of our state that the apply's precondition recomputes on the host.
public struct HostObservation: Hashable, Sendable {
    public var observed: ObservedHost
    /// sha256 of the sorted lines of ours (sets, chains, jumps): the host
    /// refuses an apply whose expectation no longer matches.
    public var stateHash: String
    /// Per family, sha256 of the sorted rule, chain and jump lines of ours
    /// alone: the host-side rollback compares the family's live lines with
    /// it to tell whether that family's transaction went in.
    public var familyHashes: [AddressFamily: String]
    /// sha256 of the persisted payloads (ipset, iptables, ip6tables files
    /// concatenated), nil when the host has none.
    public var persisted: String?

    /// Parses the `#npx SECTION` output of `HostScripts.observe`.
    public static func parse(_ output: String) throws(ObservedParser.Failure) -> HostObservation {
        var sections: [String: [Substring]] = [:]
        var current: String?
        var ended = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#npx ") {
                let name = String(line.dropFirst(5))
                if name == "end" { ended = true; break }
                current = name
                sections[name] = []
                continue
            }
            if let c = current { sections[c, default: []].append(line) }
        }
        guard ended else { throw .init(description: "the host's output ended early (\(output.utf8.count) bytes)") }
        func text(_ name: String) -> String { (sections[name] ?? []).joined(separator: "\n") }
        let sets = try ObservedParser.ipsetSave(text("ipset"))
        let v4 = try ObservedParser.iptablesSave(text("iptables"))
        let v6 = try ObservedParser.iptablesSave(text("ip6tables"))
        var backends: [AddressFamily: String] = [:]
        for line in sections["backend"] ?? [] {
            let family: AddressFamily = line.hasPrefix("ip6tables") ? .inet6 : .inet
            if line.contains("(nf_tables)") { backends[family] = "nf_tables" }
            else if line.contains("(legacy)") { backends[family] = "legacy" }
        }
        var tables: [AddressFamily: ObservedTable] = [:]
        if !v4.isEmpty { tables[.inet] = v4 }
        if !v6.isEmpty { tables[.inet6] = v6 }
        // The same lines, filter, order and hash as the host's `state` and
        // the rollback's `ours` functions: sets named npx-…; iptables-save lines
        // that can hold a chain name (they start with - or :) naming an NPX- chain.
        let v4Lines = (sections["iptables"] ?? []).filter(Self.isRuleOfOurs)
        let v6Lines = (sections["ip6tables"] ?? []).filter(Self.isRuleOfOurs)
        var lines: [Substring] = (sections["ipset"] ?? []).filter { $0.hasPrefix("create npx-") || $0.hasPrefix("add npx-") }
        lines += v4Lines + v6Lines
        let persisted = (sections["persist"] ?? []).first { $0.count == 64 }.map(String.init)
        return HostObservation(observed: ObservedHost(sets: sets, tables: tables, backends: backends),
                               stateHash: Self.hash(lines),
                               familyHashes: [.inet: Self.hash(v4Lines), .inet6: Self.hash(v6Lines)],
                               persisted: persisted)
    }

    private static func isRuleOfOurs(_ line: Substring) -> Bool {
        (line.hasPrefix("-") || line.hasPrefix(":")) && line.contains("NPX-")
    }

    /// sha256 of the lines sorted bytewise (`LC_ALL=C sort`), each ending in a newline.
    private static func hash(_ lines: [Substring]) -> String {
        Naming.sha256Hex(lines.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { $0 + "\n" }.joined())
    }
}

/// The host's output could not be read as an observation.
struct ObserveFailure: Error {
    var description: String
}

/// Finds the observation at the start of a `session`'s output while that
/// output is still arriving, looking at each byte once.
struct ObservationScanner {
    private static let end = Array("\n#npx end\n".utf8)
    private var scanned = 0

    /// The observation, once all of it has arrived (nil before); a failure
    /// if it has arrived and does not parse. `output` is everything so far.
    mutating func observation(in output: [UInt8]) -> Result<HostObservation, ObserveFailure>? {
        let end = Self.end
        var i = max(0, scanned - end.count + 1)
        scanned = output.count
        while i + end.count <= output.count {
            if output[i] == end[0] && output[i..<i + end.count].elementsEqual(end) {
                do {
                    return .success(try HostObservation.parse(String(decoding: output[..<(i + end.count)], as: UTF8.self)))
                } catch {
                    return .failure(ObserveFailure(description: error.description))
                }
            }
            i += 1
        }
        return nil
    }
}
