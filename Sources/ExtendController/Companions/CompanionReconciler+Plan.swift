import ExtendCore
import ExtendKube
import Logging

/// One plan carried out: conflicts reported, then each companion made as
/// wanted (read, compare, write) and each stale one deleted.
extension CompanionReconciler {
    /// The writes that failed, one line each (empty: all succeeded, or nothing needed writing).
    func reconcile(_ plan: CompanionPlan, _ memory: inout Memory) async -> [String] {
        guard leadership.isLeader else {
            // Another replica writes; what this one knew may change meanwhile.
            memory = Memory()
            return []
        }
        await report(conflicts: plan.conflicts, &memory)
        if settings.dryRun {
            say(plan, &memory)
            return []
        }
        var failed: [String] = []
        // Created or updated: always (a hand's edit or delete comes back as one). Unchanged:
        // read once, to check what the watch does not show (annotations, the owner).
        let unverified = plan.unchanged.filter { memory.verified[$0.id] != $0 }
        for c in plan.create + plan.update + unverified {
            guard mayWrite else { return failed }
            do {
                switch try await store.ensure(c) {
                case .created: done(c.id, .created, "created (companion of \(c.sourceName); \(Self.hosts(c)))")
                case .updated: done(c.id, .updated, "updated (companion of \(c.sourceName); \(Self.hosts(c)))")
                case .unchanged: logger.debug("companion \(c.id): as wanted")
                case .notOurs:
                    // Taken between the watch's view and our read: reported, left alone.
                    await report(conflict: c, &memory)
                    metrics.companionConflicts(memory.conflicts.count)
                    continue
                }
                memory.verified[c.id] = c
            } catch {
                failed.append(await report(c.id, "cannot write the companion of \(c.namespace)/\(c.sourceName)", error))
            }
        }
        for p in plan.delete {
            guard mayWrite else { return failed }
            memory.verified[p.id] = nil
            do {
                switch try await store.remove(namespace: p.namespace, name: p.name) {
                case .deleted: done(p.id, .deleted, "deleted (stale: no policy wants it any more)")
                case .gone: logger.debug("companion \(p.id): already gone")
                case .notOurs: logger.notice("companion \(p.id): no longer carries our labels; left alone")
                }
            } catch {
                failed.append(await report(p.id, "cannot delete the stale companion", error))
            }
        }
        for id in Set(memory.verified.keys).subtracting(plan.apply.map(\.id)) { memory.verified[id] = nil }
        return failed
    }

    /// Still the leader, and not stopping (SIGTERM: the write under way ends, no other starts).
    private var mayWrite: Bool { leadership.isLeader && !Task.isCancelled }

    /// Each name taken by a policy not ours: logged, an Event and counted
    /// once while it lasts; the gauge holds how many there are now.
    private func report(conflicts: [Companion], _ memory: inout Memory) async {
        memory.conflicts.formIntersection(conflicts.map(\.id))
        for c in conflicts { await report(conflict: c, &memory) }
        metrics.companionConflicts(memory.conflicts.count)
    }

    private func report(conflict c: Companion, _ memory: inout Memory) async {
        guard memory.conflicts.insert(c.id).inserted else { return }
        let message = CompanionPlan.conflictWarning(c).message
        logger.warning("\(message)")
        metrics.companion(.conflict)
        await events.record(ControllerEvent(.warning, reason: "CompanionNameTaken", message: message,
                                            regarding: "policy \(c.namespace)/\(c.sourceName)"))
    }

    /// Dry run: one line per change not yet said.
    private func say(_ plan: CompanionPlan, _ memory: inout Memory) {
        var lines: [String] = []
        lines += plan.create.map { "companion \($0.id): would create (companion of \($0.sourceName); \(Self.hosts($0)))" }
        lines += plan.update.map { "companion \($0.id): would update (companion of \($0.sourceName); \(Self.hosts($0)))" }
        lines += plan.delete.map { "companion \($0.id): would delete (stale: no policy wants it any more)" }
        for line in lines where !memory.said.contains(line) {
            logger.info("\(line)")
            metrics.companion(.planned)
        }
        memory.said = Set(lines)
    }

    private func done(_ id: String, _ outcome: ControllerMetrics.CompanionOutcome, _ what: String) {
        logger.info("companion \(id): \(what)")
        metrics.companion(outcome)
    }

    /// A failed write: logged, counted, an Event; returns its one line.
    private func report(_ id: String, _ what: String, _ error: any Error) async -> String {
        logger.error("companion \(id): \(what): \(error)")
        metrics.companion(.failed)
        await events.record(ControllerEvent(.warning, reason: "CompanionFailed", message: "\(what): \(error)", regarding: "companion \(id)"))
        return "\(id): \(what): \(error)"
    }

    /// "admits 198.18.1.10/32, 198.18.1.11/32": which hosts, so that one
    /// version's line tells from the next (the first four, then how many more).
    static func hosts(_ c: Companion) -> String {
        var cidrs: Set<String> = []
        for case .ipBlock(let b) in (c.policy.ingress + c.policy.egress).flatMap(\.peers) { cidrs.insert(b.cidr.description) }
        let shown = cidrs.sorted().prefix(4).joined(separator: ", ")
        return "admits " + shown + (cidrs.count > 4 ? " and \(cidrs.count - 4) more" : "")
    }
}
