import ExtendCore
import Logging

/// The managed hosts record in the loop: read when this replica starts
/// leading, its hosts that left the inventory while no controller ran
/// handed to the engine for removal, and written (by the leader only, never
/// in a dry run) before any run on a host it does not list yet (with every
/// host of the inventory, so that a first rollout writes it once), and after
/// a removal succeeds. While it cannot be read or written, no run starts: the
/// runs wait, `/readyz`, the log and an Event say why, and it is tried again
/// after 1 s, doubling up to 30 s.
extension ControllerService.Loop {
    /// `runs` (and those held before) that may start now; the others are held.
    mutating func recorded(_ runs: [ControllerEngine.Run], now: Duration) async -> [ControllerEngine.Run] {
        guard let store = service.record else { return runs }
        var runs = held + runs
        held = []
        // Read as soon as the world is built, runs or not: it may list hosts to clean.
        guard !runs.isEmpty || book.hasDrops || (!book.isLoaded && engine.isSynced) else { return [] }
        guard now >= recordRetryAt else {
            held = runs
            return []
        }
        if !book.isLoaded {
            guard let removals = await load(store, now: now) else {
                held = runs
                return []
            }
            runs += removals
        }
        var conflicts = 0
        while let next = book.next(recording: runs.map(\.host), inventory: engine.inventory.hosts) {
            guard service.configuration.writesRecord else {
                // A dry run keeps the record in memory only: the cluster is not touched.
                book.wrote(next, resourceVersion: book.stored?.resourceVersion)
                break
            }
            do {
                let version = try await store.write(next, over: book.stored?.resourceVersion)
                book.wrote(next, resourceVersion: version)
                logger.debug("\(store.name): recorded \(next.hosts.count) host(s)")
            } catch let e where e.kind == .api(.conflict) && conflicts == 0 {
                // Written by someone else since it was read: read it again (hosts
                // it lists that have left the inventory are removed too), then write.
                conflicts += 1
                logger.info("\(store.name) changed since it was read; reading it again")
                guard let removals = await load(store, now: now) else {
                    held = runs
                    return []
                }
                runs += removals
            } catch {
                await recordFailed(error, store: store, now: now)
                held = runs
                return []
            }
        }
        await recordUsable(store)
        return runs
    }

    /// Reads the record; returns the removal runs of the hosts it lists that
    /// have left the inventory (nil: it cannot be read; reported).
    private mutating func load(_ store: any ManagedHostsStore, now: Duration) async -> [ControllerEngine.Run]? {
        let read: StoredRecord?
        do {
            read = try await store.read()
        } catch {
            await recordFailed(error, store: store, now: now)
            return nil
        }
        let plan = book.loaded(read, inventory: engine.inventory.hosts)
        for c in plan.collisions {
            logger.warning("\(store.name): host \(c.host.name) (\(c.host.addressAndPort)) has left the inventory, but shares \(c.shared) with host \(c.listed) (renamed, or the machine reused): it is not cleaned, which would remove \(c.listed)'s rules, and is dropped from the record")
        }
        let names = plan.retired.map(\.name)
        if names.isEmpty {
            logger.info("\(store.name): \(read?.record.hosts.count ?? 0) host(s) recorded\(read == nil ? " (none yet)" : ""), none has left the inventory")
        } else {
            let what = service.configuration.writesRecord ? "their rules are removed" : "dry run: their rules would be removed"
            logger.notice("\(store.name): \(names.count) host(s) left the inventory while no controller ran: \(names.joined(separator: ", ")); \(what)")
        }
        return engine.handle(.retired(plan.retired), now: now)
    }

    private mutating func recordFailed(_ error: ControllerError, store: any ManagedHostsStore, now: Duration) async {
        recordFailures += 1
        let wait = min(Duration.seconds(1) * (1 << min(recordFailures - 1, 5)), .seconds(30))
        recordRetryAt = now + wait
        let problem = "managed hosts record: \(error.message)"
        guard problem != recordProblem else { return }
        recordProblem = problem
        logger.error("\(problem); no host run starts until it can be used (trying again in \(wait), then less often)")
        service.status.update { s in
            s.problems.removeAll { $0.hasPrefix("managed hosts record") }
            s.problems.append(problem)
        }
        await service.events.record(ControllerEvent(.warning, reason: "ManagedHostsRecordFailed", message: error.message,
                                                    regarding: store.name))
    }

    private mutating func recordUsable(_ store: any ManagedHostsStore) async {
        recordFailures = 0
        recordRetryAt = .zero
        guard recordProblem != nil else { return }
        recordProblem = nil
        logger.notice("\(store.name) can be used again; host runs resume")
        service.status.update { $0.problems.removeAll { $0.hasPrefix("managed hosts record") } }
    }
}
