import ArgumentParser
import ExtendCore
import Foundation

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print what each host should hold: its IP sets and its iptables-restore payloads. Touches no host.",
        discussion: """
        --companions prints instead the companion NetworkPolicies the cluster needs, for `kubectl apply -f -`: \
        for each policy whose peers select legacy hosts, one in its namespace with its podSelector and \
        policyTypes that admits those hosts' addresses (ipBlock /32, /128) on the same ports, so that the \
        cluster's own enforcement lets them in and out too (docs/both-directions.md). --prune adds, after them, \
        a `# stale:` comment block with a `kubectl delete` line per companion of ours (labelled \
        netpol-extend.io/companion=true) in the cluster input that is no longer wanted.
        """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Print the companion NetworkPolicies (YAML for kubectl apply -f -; json: a List) instead of the hosts' rules.")
    var companions = false
    @Flag(name: .long, help: "With --companions: also list the companions of ours in the cluster input that are no longer wanted.")
    var prune = false

    func validate() throws {
        if prune && !companions { throw ValidationError("--prune goes with --companions") }
        if companions && !hostOptions.hosts.isEmpty {
            throw ValidationError("--host does not go with --companions: companions are NetworkPolicies in the cluster, not host rules")
        }
    }

    /// Hosts are compiled and written one at a time, so memory follows the
    /// model, not the output; only the hosts asked for are compiled.
    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        if companions {
            try CompanionsOutput.render(input, prune: prune, format: common.output, console: console)
            return
        }
        let compiler = Compiler(world: input.world)
        let hosts = try input.hosts(hostOptions.hosts, console: console)
        let out = BufferedOutput(console)
        let cache = SetTextCache()
        switch common.output {
        case .json:
            try RenderJSON.write(hosts, compiler: compiler, cache: cache, warnings: { input.warnings }, to: out)
        case .text:
            console.report(input.warnings)
            for host in hosts {
                let state = compiler.compile(host)
                out.write(RenderedHost(state, cache: cache).text(host, dropLogs: state.dropLogs, policyLabels: state.policyLabels))
            }
        }
        out.flush()
        KeptUntilExit.keep(input, compiler, cache)
        if common.verbose { console.note("compiled \(hosts.count) host(s): \(compiler.distinctRuleSets) distinct rule set(s)") }
    }
}
