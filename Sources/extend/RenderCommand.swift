import ArgumentParser
import ExtendCore
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print what each host should hold: its IP sets and its iptables-restore payloads. Touches no host.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var common: CommonOptions

    /// Hosts are compiled and written one at a time, so memory follows the
    /// model, not the output; only the hosts asked for are compiled.
    func run() throws {
        let console = Console(common: common)
        let input = try LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let compiler = Compiler(world: input.world)
        let hosts = try input.hosts(hostOptions.hosts, console: console)
        let out = BufferedOutput(console)
        let cache = SetTextCache()
        switch common.output {
        case .json:
            try RenderJSON.write(hosts, compiler: compiler, cache: cache, warnings: input.warnings, to: out)
        case .text:
            console.report(input.warnings)
            for host in hosts {
                let state = compiler.compile(host)
                out.write(RenderedHost(state, cache: cache).text(host, dropLogs: state.dropLogs))
            }
        }
        out.flush()
    }
}

/// `render --output json`: every set once at the top level, by name, with its
/// entries; each host names the sets it needs and lists its chains.
///
///     {"hosts": [{"name", "namespace", "digest", "needsNothing", "sets": [NAME…],
///                 "chains": {"inet": [{"name", "rules"}], "inet6": […]}, "dropLogs"}],
///      "sets": [{"name", "type", "family", "members"}], "warnings": […]}
enum RenderJSON {
    struct Host: Encodable {
        var name: String
        var namespace: String
        var digest: String
        var needsNothing: Bool
        var sets: [String]
        var chains: [String: [Chain]]
        var dropLogs: [DropLogTag]
    }
    struct Chain: Encodable {
        var name: String
        var rules: [String]
    }
    struct SetOut: Encodable {
        var name: String
        var type: String
        var family: String
        /// Addresses and networks (hash:net), or set names (list:set).
        var members: [String]
    }

    static func write(_ hosts: [LegacyHost], compiler: Compiler, cache: SetTextCache,
                      warnings: [Diagnostic], to out: BufferedOutput) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try enc.encode(v), as: UTF8.self) }
        var sets: [String: IPSetSpec] = [:]
        out.write("{\"hosts\": [")
        for (i, h) in hosts.enumerated() {
            let s = compiler.compile(h)
            for set in s.sets { sets[set.name] = set }
            var chains: [String: [Chain]] = [:]
            for t in s.tables { chains[t.family.rawValue] = t.chains.map { Chain(name: $0.name, rules: $0.rules.map(\.description)) } }
            let host = Host(name: h.name, namespace: h.namespace, digest: "sha256:" + RenderedHost.digest(s, cache: cache),
                            needsNothing: s.needsNothing, sets: s.sets.map(\.name).sorted(), chains: chains, dropLogs: s.dropLogs)
            out.write((i == 0 ? "\n" : ",\n") + (try json(host)))
        }
        out.write("\n],\n\"sets\": [")
        for (i, name) in sets.keys.sorted().enumerated() {
            guard let set = sets[name] else { continue }
            let o = SetOut(name: set.name, type: set.kind.rawValue, family: set.family.rawValue, members: set.entryTexts)
            out.write((i == 0 ? "\n" : ",\n") + (try json(o)))
        }
        out.write("\n],\n\"warnings\": \(try json(warnings.sorted().map(\.description)))}\n")
    }
}
