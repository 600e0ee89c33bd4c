import ArgumentParser
import ExtendCore
import ExtendInput
import Foundation

/// `extend changes`: what a change to the cluster or the inventory does to
/// the hosts' rules, computed the way the controller does on every event
/// (incrementally, from the current state): which hosts it reaches, and per
/// set the entries to add and delete. Touches no host.
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "What a change to the cluster or inventory does to each host's rules, computed incrementally. Touches no host.",
        discussion: """
            The current state comes from --inventory and --manifests. Objects in --changed files are added or \
            replace the objects of the same kind, namespace and name; --deleted KIND/NAMESPACE/NAME (pod, \
            networkpolicy) or namespace/NAME removes one; --changed-inventory replaces the inventory's hosts. \
            Prints each host whose rules change: entry changes of its sets, or a rebuild (its chains or sets change).
            """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Manifests whose objects are added or replaced (repeatable).", valueName: "path"))
    var changed: [String] = []

    @Option(name: .long, help: ArgumentHelp("An object removed: pod/NS/NAME, networkpolicy/NS/NAME or namespace/NAME (repeatable).", valueName: "ref"))
    var deleted: [String] = []

    @Option(name: .long, help: ArgumentHelp("The inventory as it will be: hosts added, changed or removed by name.", valueName: "path"))
    var changedInventory: String?

    func validate() throws {
        for d in deleted where Self.deletion(d) == nil {
            throw ValidationError("--deleted \(d): expected pod/NAMESPACE/NAME, networkpolicy/NAMESPACE/NAME or namespace/NAME")
        }
        if changed.isEmpty && deleted.isEmpty && changedInventory == nil {
            throw ValidationError("changes needs at least one --changed, --deleted or --changed-inventory")
        }
    }

    static func deletion(_ ref: String) -> ClusterChange? {
        let p = ref.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard p.allSatisfy({ !$0.isEmpty }) else { return nil }
        switch (p.first?.lowercased(), p.count) {
        case ("pod", 3): return .podDeleted(namespace: p[1], name: p[2])
        case ("networkpolicy", 3): return .policyDeleted(namespace: p[1], name: p[2])
        case ("namespace", 2): return .namespaceDeleted(p[1])
        default: return nil
        }
    }

    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        var changes: [ClusterChange] = []
        if !changed.isEmpty {
            let load = ManifestLoader.load(paths: changed)
            console.report(load.diagnostics)
            if load.hasErrors { throw ExitCode(1) }
            // A namespace only implied by a changed pod or policy is no change of its own.
            changes += load.cluster.namespaces.filter { !$0.implied }.map(ClusterChange.namespace)
            changes += load.cluster.pods.map(ClusterChange.pod)
            changes += load.cluster.policies.map(ClusterChange.policy)
        }
        changes += deleted.compactMap(Self.deletion)
        if let path = changedInventory {
            let inv = InventoryLoader.load(path: path)
            console.report(inv.diagnostics)
            guard let proposed = inv.inventory, !inv.hasErrors else { throw ExitCode(1) }
            let now = Dictionary(input.world.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let next = Set(proposed.hosts.map(\.name))
            changes += proposed.hosts.filter { now[$0.name] != $0 }.map(ClusterChange.host)
            changes += now.keys.filter { !next.contains($0) }.sorted().map(ClusterChange.hostDeleted)
        }

        let clock = ContinuousClock()
        let engine = IncrementalCompiler(world: input.world)
        let start = clock.now
        let delta = engine.apply(changes)
        let planned = clock.now - start
        if common.verbose {
            console.note("planned \(changes.count) change(s) in \(planned.milliseconds) ms: \(delta.hosts.count) host(s) reached")
        }
        let out = BufferedOutput(console)
        switch common.output {
        case .json:
            try ChangesJSON.write(delta, engine, to: out)
        case .text:
            if delta.hosts.isEmpty { out.write("no host's rules change\n") }
            for h in delta.hosts { out.write(Self.text(h, delta, engine)) }
        }
        out.flush()
    }

    static func text(_ h: CompileDelta.Host, _ delta: CompileDelta, _ engine: IncrementalCompiler) -> String {
        if h.removed { return "== \(h.name): left the inventory; apply removes everything of ours\n" }
        if h.structural { return "== \(h.name): rebuilt (its chains or the sets it holds change)\n" }
        var out = "== \(h.name): entries of its sets change\n"
        for set in engine.state(of: h.name)?.sets.map(\.name) ?? [] {
            guard let d = delta.sets[set] else { continue }
            out += "   \(set)" + d.delete.map { " -\($0)" }.joined() + d.add.map { " +\($0)" }.joined() + "\n"
        }
        return out
    }
}

/// `changes --output json`: `{"hosts": [{"name", "change": "entries"|"rebuild"|"removed", "sets": [NAME…]}],
/// "sets": {NAME: {"add": […], "delete": […]}}}`.
enum ChangesJSON {
    struct Host: Encodable {
        var name: String
        var change: String
        /// The sets whose entries change on this host (for "entries").
        var sets: [String]
    }
    struct Doc: Encodable {
        var hosts: [Host]
        var sets: [String: CompileDelta.SetEntries]
    }

    static func write(_ delta: CompileDelta, _ engine: IncrementalCompiler, to out: BufferedOutput) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let hosts = delta.hosts.map { h in
            Host(name: h.name, change: h.removed ? "removed" : h.structural ? "rebuild" : "entries",
                 sets: h.structural || h.removed ? [] : (engine.state(of: h.name)?.sets.map(\.name) ?? []).filter { delta.sets[$0] != nil })
        }
        out.write(String(decoding: try enc.encode(Doc(hosts: hosts, sets: delta.sets)), as: UTF8.self) + "\n")
    }
}

extension CompileDelta.SetEntries: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(add, forKey: .add)
        try c.encode(delete, forKey: .delete)
    }
    private enum Key: String, CodingKey { case add, delete }
}

extension Duration {
    var milliseconds: String {
        let (s, a) = components
        return String(format: "%.2f", Double(s) * 1000 + Double(a) / 1e15)
    }
}
