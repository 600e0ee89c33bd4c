import ExtendCore

/// `--dry-run`: says what each host would get and touches none (no SSH at
/// all): for a first rollout, read the logs, metrics and events first.
public struct DryRunHostRunner: HostRunner {
    private let hashes = SetHashMemo()
    private let digests = DigestMemo()

    public init() {}

    public func run(_ run: ControllerEngine.Run) async -> HostResult {
        let d = run.desired
        let message: String
        switch run.kind {
        case .remove:
            message = "would remove every rule and set of ours (the host left the inventory)"
        case .converge where d.needsNothing:
            message = "would hold nothing of ours (no policy isolates it)"
        case .converge:
            let rules = d.tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } }
            let entries = d.sets.reduce(0) { $0 + $1.entryCount }
            // The digest alone (as `extend render` prints it), not the payloads: rendering every
            // host's restore text cost 28 s of CPU for 1,000 hosts after a sync.
            message = "would hold \(d.sets.count) set(s) with \(entries) entries and \(rules) rule(s), digest sha256:\(digests.digest(of: run.key) { RenderedHost.digest(d, hash: hashes.hash) })"
        }
        return HostResult(host: run.host.name, outcome: .planned, message: "host \(run.host.name): \(message)", duration: .zero)
    }
}
