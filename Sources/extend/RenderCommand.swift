import ArgumentParser
import ExtendCore

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print what each host should hold: its IP sets and its iptables-restore payloads. Touches no host.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        let console = Console()
        let input = try LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let compiler = Compiler(world: input.world)
        let hosts = try input.hosts(hostOptions.hosts, console: console)
        let states = hosts.map { compiler.compile($0) }
        switch common.output {
        case .json:
            try console.json(RenderReport(hosts: zip(hosts, states).map { RenderReport.Host($0, $1) },
                                          warnings: input.warnings.map(\.description)))
        case .text:
            console.report(input.warnings)
            let cache = SetTextCache()
            for (host, state) in zip(hosts, states) { console.out(RenderedHost(state, cache: cache).text(host, dropLogs: state.dropLogs)) }
        }
    }

}

/// `render --output json`.
struct RenderReport: Encodable {
    struct Host: Encodable {
        var name: String
        var namespace: String
        var digest: String
        var needsNothing: Bool
        var sets: [SetOut]
        var chains: [String: [ChainOut]]
        var payloads: [String: String]
        var dropLogs: [DropLogTag]

        init(_ h: LegacyHost, _ s: HostDesiredState) {
            let r = RenderedHost(s)
            name = h.name
            namespace = h.namespace
            digest = "sha256:" + r.digest
            needsNothing = s.needsNothing
            sets = s.sets.map { SetOut(name: $0.name, family: $0.family.rawValue, members: $0.members.map(\.description)) }
            var chains: [String: [ChainOut]] = [:]
            for t in s.tables {
                chains[t.family.rawValue] = t.chains.map { ChainOut(name: $0.name, rules: $0.rules.map(\.description)) }
            }
            self.chains = chains
            var payloads = ["ipset": r.ipset]
            if let p = r.iptables[.inet] { payloads["iptables"] = p }
            if let p = r.iptables[.inet6] { payloads["ip6tables"] = p }
            self.payloads = payloads
            dropLogs = s.dropLogs
        }
    }
    struct SetOut: Encodable {
        var name: String
        var family: String
        var members: [String]
    }
    struct ChainOut: Encodable {
        var name: String
        var rules: [String]
    }
    var hosts: [Host]
    var warnings: [String]
}
