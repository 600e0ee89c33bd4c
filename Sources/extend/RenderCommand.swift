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
            try RenderJSON.write(hosts, compiler: compiler, cache: cache, warnings: input.warnings, to: out)
        case .text:
            console.report(input.warnings)
            for host in hosts {
                let state = compiler.compile(host)
                out.write(RenderedHost(state, cache: cache).text(host, dropLogs: state.dropLogs, policyLabels: state.policyLabels))
            }
        }
        out.flush()
        if common.verbose { console.note("compiled \(hosts.count) host(s): \(compiler.distinctRuleSets) distinct rule set(s)") }
    }
}

/// `render --output json`: every set, every policy chain and every rule set
/// once at the top level. Hosts that the same policies isolate (with the same
/// ports and guard) hold the same rules: a rule set names its chains and the
/// sets its rules match, and carries its top chains (`NPX-INPUT`,
/// `NPX-OUTPUT`) rule by rule, and each host names its rule set. A host needs
/// the sets its rule set matches and the members of the lists among them:
/// listing those in every rule set grew with rule sets × namespaces.
///
///     {"hosts": [{"name", "namespace", "needsNothing", "ruleSet": ID}],      (no ruleSet: needs nothing)
///      "ruleSets": [{"id", "digest", "matchSets": [NAME…], "chains": {"inet": [NAME…], "inet6": […]},
///                    "topChains": {"inet": {"NPX-INPUT": [RULE…], "NPX-OUTPUT": […]}, …}, "dropLogs",
///                    "enforcement": "enforce"|"audit"}],
///      "chains": [{"name", "family", "rules"}],
///      "sets": [{"name", "type", "family", "members"}], "warnings": […]}
enum RenderJSON {
    // One per host and one per rule set: written by hand (JSONText), as
    // JSONEncoder would write them, which took a tenth of the run at scale.
    struct Host {
        var name: String
        var namespace: String
        var needsNothing: Bool
        var ruleSet: Int?

        var json: String {
            JSONText.object([("name", JSONText.quote(name)), ("namespace", JSONText.quote(namespace)),
                             ("needsNothing", needsNothing ? "true" : "false")] + (ruleSet.map { [("ruleSet", String($0))] } ?? []))
        }
    }
    struct RuleSetOut {
        var chains: [String: [String]]
        var digest: String
        var dropLogs: [DropLogTag]
        var enforcement: Enforcement
        var id: Int
        /// The sets its rules match; a list's members are sets of their own, in the top-level list.
        var matchSets: [String]
        var topChains: [String: [String: [String]]]

        var json: String {
            let drops = dropLogs.map { t in
                JSONText.object([("direction", JSONText.quote(t.direction.rawValue)), ("host", JSONText.quote(t.host)),
                                 ("policies", JSONText.array(t.policies)), ("prefix", JSONText.quote(t.prefix))])
            }
            return JSONText.object([
                ("chains", JSONText.object(chains.map { ($0.key, JSONText.array($0.value)) })),
                ("digest", JSONText.quote(digest)),
                ("dropLogs", "[" + drops.joined(separator: ",") + "]"),
                ("enforcement", JSONText.quote(enforcement.rawValue)),
                ("id", String(id)),
                ("matchSets", JSONText.array(matchSets)),
                ("topChains", JSONText.object(topChains.map { f in
                    (f.key, JSONText.object(f.value.map { ($0.key, JSONText.array($0.value)) }))
                })),
            ])
        }
    }
    struct Chain {
        var name: String
        var family: String
        var rules: [String]
    }
    static func isTop(_ c: ChainSpec) -> Bool { c.name == Naming.inputChain || c.name == Naming.outputChain }

    static func write(_ hosts: [LegacyHost], compiler: Compiler, cache: SetTextCache,
                      warnings: [Diagnostic], to out: BufferedOutput) throws {
        var sets: [String: IPSetSpec] = [:]
        var chains: [String: Chain] = [:]
        var ruleSets: [Int: String] = [:]
        out.write("{\"hosts\": [")
        for (i, h) in hosts.enumerated() {
            let compiled = compiler.ruleSet(h)
            if let (rules, id) = compiled, ruleSets[id] == nil {
                var names: [String: [String]] = [:]
                var top: [String: [String: [String]]] = [:]
                var matched: [String] = []
                for t in rules.tables {
                    let f = t.family.rawValue
                    names[f] = t.chains.map(\.name)
                    matched += t.matched
                    for name in t.matched where sets[name] == nil {
                        guard let set = compiler.set(named: name) else { continue }
                        sets[name] = set
                        // A list brings its members.
                        for child in set.children where sets[child] == nil { sets[child] = compiler.set(named: child) }
                    }
                    for c in t.chains {
                        if isTop(c) {
                            top[f, default: [:]][c.name] = c.rules.map(\.description)
                        } else if chains[c.name] == nil {
                            chains[c.name] = Chain(name: c.name, family: f, rules: c.rules.map(\.description))
                        }
                    }
                }
                let digest = RenderedHost.digest(rules, cache: cache, set: compiler.set(named:))
                ruleSets[id] = RuleSetOut(chains: names, digest: "sha256:" + digest, dropLogs: rules.dropLogs,
                                          enforcement: rules.enforcement, id: id, matchSets: matched.sorted(), topChains: top).json
            }
            let host = Host(name: h.name, namespace: h.namespace, needsNothing: compiled == nil, ruleSet: compiled?.id)
            out.write((i == 0 ? "\n" : ",\n") + host.json)
        }
        out.write("\n],\n\"ruleSets\": [")
        for (i, id) in ruleSets.keys.sorted().enumerated() {
            out.write((i == 0 ? "\n" : ",\n") + (ruleSets[id] ?? ""))
        }
        out.write("\n],\n\"chains\": [")
        for (i, name) in chains.keys.sorted().enumerated() {
            guard let c = chains[name] else { continue }
            out.write((i == 0 ? "\n" : ",\n") + JSONText.object([("family", JSONText.quote(c.family)),
                                                                  ("name", JSONText.quote(c.name)), ("rules", JSONText.array(c.rules))]))
        }
        out.write("\n],\n\"sets\": [")
        for (i, name) in sets.keys.sorted().enumerated() {
            guard let set = sets[name] else { continue }
            // Most of the output: members written one by one, not joined first.
            out.write((i == 0 ? "\n" : ",\n") + "{\"family\":\"\(set.family.rawValue)\",\"members\":[")
            for (j, e) in set.entryTexts.enumerated() { out.write(j == 0 ? JSONText.quote(e) : "," + JSONText.quote(e)) }
            out.write("],\"name\":\(JSONText.quote(set.name)),\"type\":\"\(set.kind.rawValue)\"}")
        }
        out.write("\n],\n\"warnings\": \(JSONText.array(warnings.sorted().map(\.description)))}\n")
    }
}
