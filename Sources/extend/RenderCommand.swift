import ArgumentParser
import ExtendCore
import Foundation

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print what each host should hold: its IP sets and its iptables-restore payloads. Touches no host.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var common: CommonOptions

    /// Hosts are compiled and written one at a time, so memory follows the
    /// model, not the output; only the hosts asked for are compiled.
    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
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
        if common.verbose { console.note("compiled \(hosts.count) host(s): \(compiler.distinctRuleSets) distinct rule set(s)") }
    }
}

/// `render --output json`: every set, every policy chain and every rule set
/// once at the top level. Hosts that the same policies isolate (with the same
/// ports and guard) hold the same rules: a rule set names the sets and chains
/// it needs and carries its top chains (`NPX-INPUT`, `NPX-OUTPUT`) rule by
/// rule, and each host names its rule set.
///
///     {"hosts": [{"name", "namespace", "needsNothing", "ruleSet": ID}],      (no ruleSet: needs nothing)
///      "ruleSets": [{"id", "digest", "sets": [NAME…], "chains": {"inet": [NAME…], "inet6": […]},
///                    "topChains": {"inet": {"NPX-INPUT": [RULE…], "NPX-OUTPUT": […]}, …}, "dropLogs"}],
///      "chains": [{"name", "family", "rules"}],
///      "sets": [{"name", "type", "family", "members"}], "warnings": […]}
enum RenderJSON {
    struct Host: Encodable {
        var name: String
        var namespace: String
        var needsNothing: Bool
        var ruleSet: Int?
    }
    struct RuleSet: Encodable {
        var chains: [String: [String]]
        var digest: String
        var dropLogs: [DropLogTag]
        var id: Int
        var sets: [String]
        var topChains: [String: [String: [String]]]
    }
    struct Chain: Encodable {
        var name: String
        var family: String
        var rules: [String]
    }
    struct SetOut: Encodable {
        var name: String
        var type: String
        var family: String
        /// Addresses and networks (hash:net), or set names (list:set).
        var members: [String]
    }

    /// Characters that a JSON string holds as they are.
    static func isPlain(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    static func isTop(_ c: ChainSpec) -> Bool { c.name == Naming.inputChain || c.name == Naming.outputChain }

    static func write(_ hosts: [LegacyHost], compiler: Compiler, cache: SetTextCache,
                      warnings: [Diagnostic], to out: BufferedOutput) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try enc.encode(v), as: UTF8.self) }
        var sets: [String: IPSetSpec] = [:]
        var chains: [String: Chain] = [:]
        var ruleSets: [Int: String] = [:]
        out.write("{\"hosts\": [")
        for (i, h) in hosts.enumerated() {
            let (s, ruleSet) = compiler.compileSharing(h)
            if let ruleSet, ruleSets[ruleSet] == nil {
                var names: [String: [String]] = [:]
                var top: [String: [String: [String]]] = [:]
                for set in s.sets { sets[set.name] = set }
                for t in s.tables {
                    let f = t.family.rawValue
                    names[f] = t.chains.map(\.name)
                    for c in t.chains {
                        if isTop(c) {
                            top[f, default: [:]][c.name] = c.rules.map(\.description)
                        } else if chains[c.name] == nil {
                            chains[c.name] = Chain(name: c.name, family: f, rules: c.rules.map(\.description))
                        }
                    }
                }
                ruleSets[ruleSet] = try json(RuleSet(chains: names, digest: "sha256:" + RenderedHost.digest(s, cache: cache),
                                                     dropLogs: s.dropLogs, id: ruleSet, sets: s.sets.map(\.name).sorted(),
                                                     topChains: top))
            }
            let host = Host(name: h.name, namespace: h.namespace, needsNothing: s.needsNothing, ruleSet: ruleSet)
            out.write((i == 0 ? "\n" : ",\n") + (try json(host)))
        }
        out.write("\n],\n\"ruleSets\": [")
        for (i, id) in ruleSets.keys.sorted().enumerated() {
            out.write((i == 0 ? "\n" : ",\n") + (ruleSets[id] ?? ""))
        }
        out.write("\n],\n\"chains\": [")
        for (i, name) in chains.keys.sorted().enumerated() {
            guard let c = chains[name] else { continue }
            out.write((i == 0 ? "\n" : ",\n") + (try json(c)))
        }
        out.write("\n],\n\"sets\": [")
        for (i, name) in sets.keys.sorted().enumerated() {
            guard let set = sets[name] else { continue }
            out.write(i == 0 ? "\n" : ",\n")
            let entries = set.entryTexts
            if entries.allSatisfy(Self.isPlain) {
                // Addresses, networks and set names need no escaping: written as they are,
                // in the encoder's key order, instead of through it (most of the output).
                out.write("{\"family\":\"\(set.family.rawValue)\",\"members\":[")
                for (j, e) in entries.enumerated() { out.write(j == 0 ? "\"" + e + "\"" : ",\"" + e + "\"") }
                out.write("],\"name\":\"\(set.name)\",\"type\":\"\(set.kind.rawValue)\"}")
            } else {
                out.write(try json(SetOut(name: set.name, type: set.kind.rawValue, family: set.family.rawValue, members: entries)))
            }
        }
        out.write("\n],\n\"warnings\": \(try json(warnings.sorted().map(\.description)))}\n")
    }
}
