/// A packet the final rule of a direction caught, as the kernel logged it
/// (hosts with `logDrops`: the LOG rule before it, prefix `npx:I:…`/`npx:E:…`),
/// decoded with the host's drop-log tags as `extend explain --why` does.
public struct DeniedFlow: Hashable, Sendable {
    public var direction: Direction
    /// The policies isolating the host in that direction (the tag's).
    public var policies: [String]
    public var source: String
    public var destination: String
    /// As the kernel names it: TCP, UDP, SCTP, ICMP, …
    public var proto: String
    /// The destination port (TCP, UDP, SCTP); nil for other protocols.
    public var port: Int?

    public init(direction: Direction, policies: [String], source: String, destination: String, proto: String, port: Int?) {
        self.direction = direction
        self.policies = policies
        self.source = source
        self.destination = destination
        self.proto = proto
        self.port = port
    }

    /// The last `limit` flows of kernel log lines (`dmesg` or `journalctl -k`)
    /// that carry one of `tags`' prefixes (one host's: the prefix hashes the
    /// host's name, so other hosts' lines in a shared log are left out), oldest first.
    public static func parse(_ log: String, tags: [DropLogTag], limit: Int) -> [DeniedFlow] {
        guard !tags.isEmpty, limit > 0 else { return [] }
        let byPrefix = Dictionary(tags.map { ($0.prefix.trimmingSpacesAround, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [DeniedFlow] = []
        for line in log.split(separator: "\n") {
            guard let start = line.firstRange(of: "npx:") else { continue }
            let words = line[start.lowerBound...].split(separator: " ")
            guard let first = words.first, let tag = byPrefix[String(first)] else { continue }
            var fields: [Substring: Substring] = [:]
            for w in words.dropFirst() {
                guard let eq = w.firstIndex(of: "=") else { continue }
                let key = w[..<eq]
                if fields[key] == nil { fields[key] = w[w.index(after: eq)...] }
            }
            guard let src = fields["SRC"], let dst = fields["DST"], let proto = fields["PROTO"] else { continue }
            out.append(DeniedFlow(direction: tag.direction, policies: tag.policies, source: String(src), destination: String(dst),
                                  proto: String(proto), port: fields["DPT"].flatMap { Int($0) }))
        }
        return Array(out.suffix(limit))
    }
}

extension String {
    var trimmingSpacesAround: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
