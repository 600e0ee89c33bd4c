import ArgumentParser
import ExtendCore
import ExtendInput
import ExtendSSH

/// The managed hosts record in a run: read before any host is touched, hosts
/// that left the inventory worked on beside the listed ones, and (apply only)
/// the next record written afterwards.
extension FleetRun {
    /// The record at `path` (nil: none yet, a first run). One that cannot be
    /// used ends the command before any host is touched.
    static func readRecord(_ path: String, console: Console) throws -> ManagedHostsRecord? {
        do {
            return try ManagedHostsFile.read(path: path)
        } catch {
            console.report(error.diagnostics)
            console.error("the managed hosts record \(path) cannot be used; nothing was done to any host. Restore it (keep it beside the inventory), or give another with --state: a new record does not know the hosts this one lists, and those that have left the inventory would never be cleaned")
            throw ExitCode(1)
        }
    }

    /// The inventory hosts `--host` names (all without it). A name the record
    /// alone knows (a retired host) is accepted; one neither knows is an error.
    static func select(_ names: [String], _ input: LoadedInput, record: ManagedHostsRecord?, statePath: String,
                       console: Console) throws -> [LegacyHost] {
        let listed = Set(input.world.hosts.map(\.name))
        for n in names where !listed.contains(n) && record?.host(named: n) == nil {
            console.error("--host \(n): no such host in \(input.inventory.source), nor in its managed hosts record \(statePath)")
            throw ExitCode(1)
        }
        let wanted = names.filter(listed.contains)
        if !names.isEmpty && wanted.isEmpty { return [] }
        return try input.hosts(wanted, console: console)
    }

    /// Which recorded hosts have left the inventory (`Retirement.plan`), with
    /// `--forget`: a name the run cannot forget ends the command before any
    /// host is touched, the record as it was.
    static func plan(record: ManagedHostsRecord?, _ input: LoadedInput, only names: [String], forget: [String],
                     statePath: String, console: Console) throws -> Retirement {
        do {
            return try Retirement.plan(record: record ?? ManagedHostsRecord(), inventory: input.world.hosts, only: names,
                                       forget: forget)
        } catch {
            for r in error.refused {
                switch r.reason {
                case .stillListed:
                    console.error("--forget \(r.name): host \(r.name) is still in the inventory \(input.inventory.source); only a host that has left it can be forgotten. Remove it from the inventory first: apply then removes our rules from it, and --forget is for when that cannot be done")
                case .notRecorded:
                    console.error("--forget \(r.name): no such host in the managed hosts record \(statePath)"
                                  + (record == nil ? " (there is none yet)" : ""))
                }
            }
            console.error("nothing was done to any host; the managed hosts record is unchanged")
            throw ExitCode(1)
        }
    }

    /// A retired host that looks like a listed one is never cleaned: say so, naming both.
    func recordWarnings(_ mode: Fleet.Mode) -> [Diagnostic] {
        retirement.collisions.map { c in
            .warning(statePath,
                "host \"\(c.host.name)\" (\(c.host.addressAndPort)) has left the inventory, but shares \(c.shared) with host \"\(c.listed)\" of \(input.inventory.source) (renamed, or the machine reused): it is not cleaned, which would remove \(c.listed)'s rules"
                + (mode == .apply ? "; dropped from the record" : "; apply drops it from the record"))
        }
    }

    /// After apply: the next record (`Retirement.nextRecord`, forgotten hosts left out), written in one step.
    func saveRecord(_ outcomes: [HostOutcome]) -> RecordOutcome {
        let cleaned = outcomes.filter { $0.retired && [.applied, .inSync].contains($0.report.status) }.map(\.report.host)
        let next = retirement.nextRecord(inventory: input.world.hosts, worked: hosts, cleaned: Set(cleaned))
        do {
            try ManagedHostsFile.write(next, to: statePath)
            return RecordOutcome(path: statePath, written: true, hosts: next.names)
        } catch {
            return RecordOutcome(path: statePath, written: false, error: error.description)
        }
    }
}
