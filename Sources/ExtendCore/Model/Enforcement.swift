/// `enforcement`: what a host's final rule of each isolated direction does
/// with a packet that no policy admits. Everything before that rule (sets,
/// chains, lockout guard, the drop log) is the same in both modes.
public enum Enforcement: String, Hashable, Sendable, CaseIterable, Codable {
    /// The packet is dropped.
    case enforce
    /// The packet is counted against the policies that isolate the host in
    /// that direction (and logged with logDrops), then accepted.
    case audit

    /// The final rule's target.
    var verdict: String { self == .enforce ? "DROP" : "ACCEPT" }
}
