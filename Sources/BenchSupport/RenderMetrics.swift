/// What one `extend render --output json` document says per host: rules,
/// set entries and distinct addresses.
public struct RenderMetrics: Sendable, Codable {
    public struct Host: Sendable, Equatable, Codable {
        public var name: String
        /// Rules over all the host's chains, both families.
        public var rules: Int
        /// Members over all the sets the host needs (list:set members count as entries).
        public var setEntries: Int
        /// Distinct hash:net members (nomatch entries left out) over those sets.
        public var distinctAddresses: Int

        public init(name: String, rules: Int, setEntries: Int, distinctAddresses: Int) {
            self.name = name
            self.rules = rules
            self.setEntries = setEntries
            self.distinctAddresses = distinctAddresses
        }
    }

    /// How the document carried sets.
    public enum Format: String, Sendable, Codable {
        /// Top-level `sets`, hosts naming theirs (issue 10's format).
        case shared = "shared sets"
        /// Each host with its own `sets` objects (the format before issue 10).
        case perHost = "sets per host"
    }

    public init() {}

    public var hosts: [Host] = []
    /// Each host's digest, by name.
    public var digests: [String: String] = [:]
    public var format: Format?
    /// Sets in the top-level `sets` (shared format only).
    public var sharedSets = 0
    public var warnings = 0
    /// Set names hosts refer to that the top-level `sets` does not hold.
    public var unknownSetNames = 0

    public var rules: Summary { Summary(hosts.map(\.rules)) }
    public var setEntries: Summary { Summary(hosts.map(\.setEntries)) }
    public var distinctAddresses: Summary { Summary(hosts.map(\.distinctAddresses)) }

    public struct Summary: Sendable {
        public var max: Int
        public var mean: Double
        public var total: Int
        init(_ values: [Int]) {
            max = values.max() ?? 0
            total = values.reduce(0, +)
            mean = values.isEmpty ? 0 : Double(total) / Double(values.count)
        }
    }
}
