import ArgumentParser
import ExtendCore
import ExtendSSH
import Foundation
import Logging

/// What `diff` and `apply` share: read input and the managed hosts record,
/// compile every host's desired state (with the lockout guard for this
/// machine), reach the hosts (those listed, and those that have left the
/// inventory, except those `--forget` names), report.
struct FleetRun {
    var input: LoadedInput
    /// The inventory hosts worked on.
    var hosts: [LegacyHost]
    /// Where the managed hosts record is read from (and written to, by apply).
    var statePath: String
    /// Which recorded hosts have left the inventory; `retirement.retired` are worked on after `hosts`,
    /// `retirement.forgotten` are reported last, never contacted.
    var retirement: Retirement
    var common: CommonOptions
    var concurrency: Int
    var console: Console

    /// What diff and apply both start with: the input and the record read and checked, the hosts chosen.
    static func load(_ inventory: InventoryOptions, _ cluster: ClusterOptions, _ state: StateOptions, _ hostOptions: HostOptions,
                     _ forget: ForgetOptions, _ fleet: FleetOptions, _ common: CommonOptions) async throws -> FleetRun {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let statePath = state.path(inventory: inventory.inventory)
        let record = try readRecord(statePath, console: console)
        let hosts = try select(hostOptions.hosts, input, record: record, statePath: statePath, console: console)
        let retirement = try plan(record: record, input, only: hostOptions.hosts, forget: forget.names, statePath: statePath,
                                  console: console)
        if common.verbose {
            console.note(record.map {
                "managed hosts record \(statePath): \($0.hosts.count) host(s), \(retirement.retired.count) of them retired"
                    + (retirement.forgotten.isEmpty ? "" : ", \(retirement.forgotten.count) forgotten")
            } ?? "managed hosts record \(statePath): none yet")
        }
        return FleetRun(input: input, hosts: hosts, statePath: statePath, retirement: retirement, common: common,
                        concurrency: fleet.concurrency, console: console)
    }

    /// One agent per listed host, then one per retired host: the same agent,
    /// wanting nothing of ours (persisted rules included), so it is cleaned as
    /// a listed host no policy selects.
    func agents(rollbackAfter: Int) -> [HostAgent] {
        let compiler = Compiler(world: input.world)
        let listed = hosts.map { host in
            agent(host.name, ssh: host.ssh, connect: host.connectAddress, management: host.management,
                  persist: host.persist, rollbackAfter: rollbackAfter) { compiler.compile(host, extraGuard: $0) }
        }
        let retired = retirement.retired.map { host in
            agent(host.name, ssh: host.ssh, connect: host.connectAddress, management: [],
                  persist: false, rollbackAfter: rollbackAfter) { _ in .nothing(host: host.name) }
        }
        return listed + retired
    }

    private func agent(_ name: String, ssh: SSHSettings, connect: String, management: [CIDR], persist: Bool,
                       rollbackAfter: Int, desired: ([CIDR]) -> HostDesiredState) -> HostAgent {
        var logger = Logger(label: "netpol-extend")
        logger.logLevel = common.verbose ? .debug : .warning
        return HostAgent.make(name: name, ssh: ssh, connect: connect, management: management, persist: persist,
                              rollbackAfter: rollbackAfter, logger: logger, desired: desired)
    }

    func run(_ mode: Fleet.Mode, rollbackAfter: Int) async -> [HostOutcome] {
        let agents = agents(rollbackAfter: rollbackAfter)
        let live = console.stderrIsTerminal && common.output == .text
        let verb = mode == .diff ? "reading" : "applying"
        let reports = await Fleet.run(agents, mode: mode, concurrency: concurrency) { done, total, last in
            if live {
                Console().progress("\(verb): \(done)/\(total) hosts done (last: \(last.host) \(last.status.rawValue))")
            }
        }
        return reports.enumerated().map { i, r in
            i < hosts.count ? HostOutcome(report: r, retired: false) : .retired(r, mode: mode)
        } + retirement.forgotten.map { .forgotten($0.name, mode: mode) }
    }

    /// The per-host table (text) or one JSON document, then the exit code.
    /// `record`: what apply did with the managed hosts record (nil for diff).
    /// `companions`: `diff --companions`, the companion NetworkPolicies' plan, shown after the hosts.
    func finish(_ outcomes: [HostOutcome], mode: Fleet.Mode, record: RecordOutcome? = nil, companions: CompanionPlan? = nil,
                showDiffs: Bool, detailedExitCode: Bool) throws {
        if console.stderrIsTerminal && common.output == .text { console.progress(nil) }
        let reports = outcomes.map(\.report)
        let warnings = recordWarnings(mode)
        switch common.output {
        case .json:
            try console.json(FleetReport(hosts: outcomes, warnings: (warnings + (companions?.conflictWarnings ?? [])).map(\.description),
                                         record: record, companions: companions.map(CompanionsReport.init)))
        case .text:
            console.report(warnings + (companions?.conflictWarnings ?? []))
            if showDiffs {
                for o in outcomes where !o.report.diff.isEmpty {
                    let r = o.report
                    let wanted = o.retired ? "left the inventory: nothing of ours" : "wanted"
                    console.out("--- \(r.host) (on the host)\n+++ \(r.host) (\(wanted))\n" + console.colorDiff(r.diff))
                }
            }
            let width = max(4, reports.map(\.host.count).max() ?? 4)
            console.out("\n" + "HOST".padding(toLength: width, withPad: " ", startingAt: 0) + "  STATUS       DETAIL\n")
            for r in reports {
                console.out(r.host.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                            + r.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + "  " + r.message + "\n")
            }
            let counts = Dictionary(grouping: reports, by: \.status).mapValues(\.count)
            console.out("\n" + HostReport.Status.allOrdered.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ") + "\n")
            if let companions { console.out("\n" + CompanionsOutput.diffText(companions)) }
            if let record, record.written, common.verbose {
                console.note("managed hosts record \(record.path) written: \(record.hosts.count) host(s)")
            }
        }
        if let record, !record.written {
            console.error((record.error ?? "\(record.path): cannot write the managed hosts record")
                + "\nextend: every host above was worked on as reported, but the managed hosts record was not updated: a host removed from the inventory later may not be cleaned. Fix this and run extend apply again.")
            throw ExitCode(1)
        }
        if reports.contains(where: \.failed) { throw ExitCode(1) }
        if detailedExitCode && (reports.contains(where: { $0.status == .changes }) || companions?.hasChanges == true) {
            throw ExitCode(2)
        }
    }
}

extension HostReport.Status {
    static let allOrdered: [Self] = [.inSync, .changes, .applied, .forgotten, .unreachable, .error]
}

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Read each host's live rules over SSH and print what apply would change (same as apply --dry-run). Changes nothing.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var forget: ForgetOptions
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Exit 2 when changes are pending, 0 when every host is converged (1 on failure).")
    var detailedExitcode = false
    @Flag(name: .long, help: "Also compare the companion NetworkPolicies wanted with the managed ones in the cluster input (create, update, delete); their changes count for --detailed-exitcode.")
    var companions = false
    @OptionGroup var connections: ConnectionsOptions

    func validate() throws { try connections.validate() }

    func run() async throws {
        if connections.connections {
            return try await ConnectionsDiff.run(inventory: inventory, cluster: cluster, connections, common,
                                                 detailedExitCode: detailedExitcode)
        }
        let run = try await FleetRun.load(inventory, cluster, state, hostOptions, forget, fleet, common)
        let world = run.input.world
        let plan = companions ? CompanionPlan(wanted: CompanionBuilder(world: world).companions(), world: world) : nil
        try run.finish(await run.run(.diff, rollbackAfter: 0), mode: .diff, companions: plan, showDiffs: true,
                       detailedExitCode: detailedExitcode)
    }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make every host hold exactly its rules, atomically per host, leaving rules it does not own alone.",
        discussion: """
        Per host: read what it holds; if it differs, schedule a rollback on the host itself, load the change \
        (sets, then IPv4 and IPv6 chains, each one transaction), confirm over a fresh SSH connection, and only \
        then cancel the rollback. An unconfirmed host restores its previous rules by itself.

        apply records the hosts it works on in the managed hosts record (--state; default: the inventory's path \
        + .state.json, JSON, mode 0600, no secrets). A recorded host that is no longer in the inventory has left \
        it: apply removes every chain, jump and set of ours from it (and our persisted rules), never anything else, \
        then drops it from the record; if it cannot be reached it stays recorded and is tried again next time \
        (and apply exits 1). Unless it shares an SSH endpoint or an address with a host still listed (renamed, or \
        the machine reused): then it is left alone and dropped from the record, with a warning. Keep the record \
        with the inventory (commit it beside it) when several people run apply. diff, apply --dry-run and render \
        never write it.

        A host that has left the inventory and will never be reachable again (decommissioned): --forget NAME \
        drops it from the record without contacting it (reported "forgotten"); whatever of ours is still on it \
        stays there. Only a host the record lists and the inventory no longer does can be forgotten; any other \
        name stops the run before any host is touched. --forget NAME --host NAME forgets it and works on no other \
        host.
        """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var forget: ForgetOptions
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Change nothing: the same as `extend diff`.")
    var dryRun = false
    @Flag(name: .long, help: "With --dry-run: exit 2 when changes are pending, 0 when converged.")
    var detailedExitcode = false
    @Option(name: .long, help: "Seconds after which a host that was not confirmed restores its previous rules.")
    var rollbackAfter = 30

    func validate() throws {
        guard (5...3600).contains(rollbackAfter) else { throw ValidationError("--rollback-after must be 5 to 3600 seconds") }
        if detailedExitcode && !dryRun { throw ValidationError("--detailed-exitcode goes with --dry-run (or use extend diff)") }
    }

    func run() async throws {
        let run = try await FleetRun.load(inventory, cluster, state, hostOptions, forget, fleet, common)
        if dryRun {
            try run.finish(await run.run(.diff, rollbackAfter: 0), mode: .diff, showDiffs: true, detailedExitCode: detailedExitcode)
        } else {
            let outcomes = await run.run(.apply, rollbackAfter: rollbackAfter)
            // Written before the report, so that whatever the hosts' outcomes the record keeps up with them.
            let record = run.saveRecord(outcomes)
            try run.finish(outcomes, mode: .apply, record: record, showDiffs: common.verbose, detailedExitCode: false)
        }
    }
}
