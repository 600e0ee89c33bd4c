import ArgumentParser
import ExtendCore
import ExtendSSH
import Foundation
import Logging

/// What `diff` and `apply` share: read input, compile every host's desired
/// state (with the lockout guard for this machine), reach the hosts, report.
struct FleetRun {
    var input: LoadedInput
    var hosts: [LegacyHost]
    var common: CommonOptions
    var concurrency: Int
    var console: Console

    /// What diff and apply both start with: the input read and checked, the hosts chosen.
    static func load(_ inventory: InventoryOptions, _ cluster: ClusterOptions, _ hostOptions: HostOptions,
                     _ fleet: FleetOptions, _ common: CommonOptions) throws -> FleetRun {
        let console = Console()
        let input = try LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let hosts = try input.hosts(hostOptions.hosts, console: console)
        return FleetRun(input: input, hosts: hosts, common: common, concurrency: fleet.concurrency, console: console)
    }

    func agents(rollbackAfter: Int) -> [HostAgent] {
        let compiler = Compiler(world: input.world)
        let passphrase = ProcessInfo.processInfo.environment["EXTEND_SSH_KEY_PASSPHRASE"]
        var logger = Logger(label: "netpol-extend")
        logger.logLevel = common.verbose ? .debug : .warning
        return hosts.map { host in
            // The machine running this keeps its SSH access: its address joins the lockout guard.
            var guardSources: [CIDR] = []
            if let me = SourceAddress.towards(host.connectAddress, port: host.ssh.port),
               !host.management.contains(where: { $0.contains(me) }) {
                guardSources.append(CIDR(host: me))
            }
            var options = HostAgent.Options()
            options.rollbackAfter = rollbackAfter
            options.sudo = host.ssh.sudo
            options.persist = host.persist
            let endpoint = SSHEndpoint(
                name: host.name, address: host.connectAddress, port: host.ssh.port, user: host.ssh.user,
                identityFile: Self.expand(host.ssh.identityFile), passphrase: passphrase,
                knownHostsFile: Self.expand(host.ssh.knownHostsFile),
                connectTimeout: .seconds(host.ssh.connectTimeoutSeconds))
            return HostAgent(endpoint: endpoint, desired: compiler.compile(host, extraGuard: guardSources),
                             options: options, logger: logger)
        }
    }

    static func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst(1)
    }

    func run(_ mode: Fleet.Mode, rollbackAfter: Int) async -> [HostReport] {
        let agents = agents(rollbackAfter: rollbackAfter)
        let live = console.stderrIsTerminal && common.output == .text
        let verb = mode == .diff ? "reading" : "applying"
        return await Fleet.run(agents, mode: mode, concurrency: concurrency) { done, total, last in
            if live {
                Console().progress("\(verb): \(done)/\(total) hosts done (last: \(last.host) \(last.status.rawValue))")
            }
        }
    }

    /// The per-host table (text) or one JSON document, then the exit code.
    func finish(_ reports: [HostReport], showDiffs: Bool, detailedExitCode: Bool) throws {
        if console.stderrIsTerminal && common.output == .text { console.progress(nil) }
        switch common.output {
        case .json:
            try console.json(FleetReport(hosts: reports))
        case .text:
            if showDiffs {
                for r in reports where !r.diff.isEmpty {
                    console.out("--- \(r.host) (on the host)\n+++ \(r.host) (wanted)\n" + console.colorDiff(r.diff))
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
        }
        if reports.contains(where: \.failed) { throw ExitCode(1) }
        if detailedExitCode && reports.contains(where: { $0.status == .changes }) { throw ExitCode(2) }
    }
}

struct FleetReport: Encodable {
    var hosts: [HostReport]
}

extension HostReport.Status {
    static let allOrdered: [Self] = [.inSync, .changes, .applied, .unreachable, .error]
}

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Read each host's live rules over SSH and print what apply would change (same as apply --dry-run). Changes nothing.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Exit 2 when changes are pending, 0 when every host is converged (1 on failure).")
    var detailedExitcode = false

    func run() async throws {
        let run = try FleetRun.load(inventory, cluster, hostOptions, fleet, common)
        try run.finish(await run.run(.diff, rollbackAfter: 0), showDiffs: true, detailedExitCode: detailedExitcode)
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
        """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
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
        let run = try FleetRun.load(inventory, cluster, hostOptions, fleet, common)
        if dryRun {
            try run.finish(await run.run(.diff, rollbackAfter: 0), showDiffs: true, detailedExitCode: detailedExitcode)
        } else {
            try run.finish(await run.run(.apply, rollbackAfter: rollbackAfter), showDiffs: common.verbose, detailedExitCode: false)
        }
    }
}
