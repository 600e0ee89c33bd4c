import ExtendCore

/// The outcome for one host, for the per-host table and `--output json`.
public struct HostReport: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        /// Already holds exactly its rules: nothing was written.
        case inSync = "in-sync"
        /// diff: changes are pending.
        case changes
        /// apply: changed, loaded and confirmed over a fresh connection.
        case applied
        /// Could not be reached (connect, host key, authentication): nothing was changed.
        case unreachable
        /// Something failed; `message` says what and whether anything was changed.
        case error
        /// Never contacted: a host that has left the inventory, dropped from the
        /// managed hosts record by `extend apply --forget` (set by the CLI, never by an agent).
        case forgotten
    }

    public var host: String
    public var status: Status
    public var message: String
    /// Unified diff of observed (-) against desired (+); empty when in sync.
    public var diff: String
    public var added: Int
    public var removed: Int
    /// iptables backend per family as the host reported it ("nf_tables", "legacy").
    public var backends: [String: String]
    public var milliseconds: Int

    public init(host: String, status: Status, message: String = "", diff: String = "", added: Int = 0,
                removed: Int = 0, backends: [String: String] = [:], milliseconds: Int = 0) {
        self.host = host
        self.status = status
        self.message = message
        self.diff = diff
        self.added = added
        self.removed = removed
        self.backends = backends
        self.milliseconds = milliseconds
    }

    public var failed: Bool { status == .unreachable || status == .error }
}
