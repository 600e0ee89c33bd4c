/// The wanted companions against the managed ones the cluster holds: what
/// to create, update and delete (by namespace and name), and the wanted
/// names that a policy not ours already holds (never touched: reported).
public struct CompanionPlan: Hashable, Sendable {
    /// Wanted, absent from the cluster.
    public var create: [Companion] = []
    /// Wanted, present with another spec.
    public var update: [Companion] = []
    /// Ours in the cluster, no longer wanted (stale): their source is gone,
    /// or no longer admits any host, or the hosts left the inventory.
    public var delete: [NetworkPolicy] = []
    /// Wanted and present as they are.
    public var unchanged: [Companion] = []
    /// Wanted, but the name is taken by a policy without our labels: left
    /// out of everything above, so nothing of someone else's is overwritten.
    public var conflicts: [Companion] = []

    /// `world.managedCompanions` are ours in the cluster; its policies, the
    /// others (whose names a companion must not take).
    public init(wanted: [Companion], world: World) {
        let existing = Dictionary(world.managedCompanions.map { ($0.id, $0) }) { first, _ in first }
        var seen: Set<String> = []
        for c in wanted {
            seen.insert(c.id)
            if world.policiesByNamespace[c.namespace]?.contains(where: { $0.name == c.name }) ?? false {
                conflicts.append(c)
            } else if let old = existing[c.id] {
                if old.sameSpec(as: c.policy) { unchanged.append(c) } else { update.append(c) }
            } else {
                create.append(c)
            }
        }
        delete = world.managedCompanions.filter { !seen.contains($0.id) }
    }

    /// The companions to write, created or not: everything wanted but the conflicts.
    public var apply: [Companion] { (create + update + unchanged).sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) } }

    public var hasChanges: Bool { !create.isEmpty || !update.isEmpty || !delete.isEmpty }

    /// One warning per conflict, naming the policy in the way.
    public var conflictWarnings: [Diagnostic] { conflicts.map(Self.conflictWarning) }

    /// The warning for a companion whose name a policy not ours holds.
    public static func conflictWarning(_ c: Companion) -> Diagnostic {
        .warning(c.id, code: "companion-name-taken",
                 "NetworkPolicy \(c.id) exists without the label \(Companion.companionLabel)=\(Companion.companionValue): the companion of \(c.namespace)/\(c.sourceName) is left out rather than overwrite it; rename one of them")
    }
}
