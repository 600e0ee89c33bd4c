import ArgumentParser
import ExtendCore

/// `extend diff --connections`: the connections a proposed change opens and closes. Touches no host.
struct ConnectionsOptions: ParsableArguments {
    @Flag(name: .long, help: "Instead of reading hosts: the connections that the --proposed files open and close against the current cluster and inventory (no host touched).")
    var connections = false
    @Option(name: .long, help: ArgumentHelp("With --connections: the manifests as they will be after the change, the whole set (repeatable).", valueName: "path"))
    var proposed: [String] = []
    @Option(name: .long, help: ArgumentHelp("With --connections: the inventory as it will be (default: the current one).", valueName: "path"))
    var proposedInventory: String?

    func validate() throws {
        if connections && proposed.isEmpty { throw ValidationError("--connections needs --proposed FILES (the manifests as they will be)") }
        if !connections && (!proposed.isEmpty || proposedInventory != nil) {
            throw ValidationError("--proposed and --proposed-inventory go with --connections")
        }
    }
}

enum ConnectionsDiff {
    static func run(inventory: InventoryOptions, cluster: ClusterOptions, _ options: ConnectionsOptions, _ common: CommonOptions,
                    detailedExitCode: Bool) async throws {
        let console = Console(common: common)
        let proposedInventory = options.proposedInventory ?? inventory.inventory
        let current: LoadedInput, proposed: LoadedInput
        if cluster.manifests.isEmpty {
            // The current state from the API, the proposed one from files: nothing to share, both read at once.
            let proposedCluster = try ClusterOptions.parse(options.proposed.flatMap { ["--manifests", $0] })
            async let currentState = LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
            async let proposedState = LoadedInput.load(inventory: proposedInventory, cluster: proposedCluster, common: common, console: console)
            (current, proposed) = (try await currentState, try await proposedState)
        } else {
            // Both from files, which they mostly share (the proposed state is usually the cluster
            // file plus a change): each file and inventory read once, on every core.
            let states = try await LoadedInput.load(states: [(inventory.inventory, cluster.manifests), (proposedInventory, options.proposed)],
                                                    common: common, console: console)
            (current, proposed) = (states[0], states[1])
        }
        // The two matrices are independent: worked out at once (two cores, half the wait).
        async let currentMatrix = ConnectivityMatrix(world: current.world)
        async let proposedMatrix = ConnectivityMatrix(world: proposed.world)
        let (before, after) = await (currentMatrix, proposedMatrix)
        let diff = ConnectionDiff(current: current.world, proposed: proposed.world, before: before, after: after)
        console.report(current.warnings)
        console.report(proposed.warnings)
        switch common.output {
        case .json: console.out(json(diff))
        case .text: console.out(diff.text)
        }
        if detailedExitCode && !diff.isEmpty { throw ExitCode(2) }
    }

    static func json(_ diff: ConnectionDiff) -> String {
        func ref(_ id: Int) -> String { diff.classes[id].members.count == 1 ? diff.classes[id].members[0] : "c\(id)" }
        func groups(_ changes: [ConnectionDiff.Change]) -> String {
            "[" + changes.map { c in
                JSONText.object([("from", JSONText.array(c.from.map(ref))), ("to", JSONText.array(c.to.map(ref))),
                                 ("ports", "[" + c.ports.map(MatrixJSON.port).joined(separator: ",") + "]"),
                                 ("because", JSONText.array(c.because))])
            }.joined(separator: ",\n") + "]"
        }
        let classes = diff.namedClasses.map { JSONText.object([("id", JSONText.quote("c\($0.id)")), ("members", JSONText.array($0.members))]) }
        return "{\"classes\": [" + classes.joined(separator: ",\n") + "],\n\"opened\": " + groups(diff.opened)
            + ",\n\"closed\": " + groups(diff.closed) + "}\n"
    }
}
