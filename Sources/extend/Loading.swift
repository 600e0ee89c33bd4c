import ArgumentParser
import ExtendCore
import ExtendInput
import ExtendKube

/// Reads the inventory and the cluster, joins them, and reports every
/// problem at once. Bad input ends the command with exit code 1 before anything else happens.
struct LoadedInput {
    var inventory: Inventory
    var world: World
    /// The lint's, made beside whatever the command does next.
    private let lint: Background<[Diagnostic]>
    var warnings: [Diagnostic] { lint.value }

    static func load(inventory path: String, cluster: ClusterOptions, common: CommonOptions,
                     console: Console) async throws -> LoadedInput {
        // The inventory is read on another core while the cluster is.
        async let inventoryRead = InventoryLoader.load(path: path)
        var clusterErrors: [Diagnostic] = []
        var state = ClusterState()
        if cluster.manifests.isEmpty {
            do {
                let m = try await APILoading.read(cluster, common: common, console: console)
                state = m.cluster
                clusterErrors += m.diagnostics
                if common.verbose { for n in m.notes { console.note(n) } }
            } catch {
                clusterErrors.append(.error(nil, error.message))
            }
        } else {
            let m = ManifestLoader.load(paths: cluster.manifests)
            state = m.cluster
            clusterErrors += m.diagnostics
            if common.verbose { for n in m.notes { console.note(n) } }
        }
        return try assemble(await inventoryRead, state, clusterErrors, console: console)
    }

    /// Several states from files at once, each as `load` with those
    /// `--manifests` would give it, reading a file or an inventory that
    /// several name once (`diff --connections`: the proposed state is usually
    /// the current files plus a change). Each state's problems are reported in
    /// turn; the first with errors ends the command.
    static func load(states: [(inventory: String, manifests: [String])], common: CommonOptions,
                     console: Console) async throws -> [LoadedInput] {
        var paths: [String] = []
        for s in states where !paths.contains(s.inventory) { paths.append(s.inventory) }
        async let inventoryReads = paths.map { InventoryLoader.load(path: $0) }
        let clusters = ManifestLoader.load(states: states.map(\.manifests))
        let inventories = Dictionary(zip(paths, await inventoryReads), uniquingKeysWith: { a, _ in a })
        let checked = try zip(states, clusters).map { state, m in
            if common.verbose { for n in m.notes { console.note(n) } }
            return try check(inventories[state.inventory]!, m.cluster, m.diagnostics, console: console)
        }
        // Each state's world and lint on a core of its own; their problems reported in order.
        let joined = await withTaskGroup(of: (Int, Result<LoadedInput, Problems>).self) { group in
            for (i, (inventory, state)) in checked.enumerated() { group.addTask { (i, join(inventory, state)) } }
            var out = [Result<LoadedInput, Problems>?](repeating: nil, count: checked.count)
            for await (i, r) in group { out[i] = r }
            return out.map { $0! }
        }
        return try joined.map { r in
            switch r {
            case .success(let input): return input
            case .failure(let problems):
                console.report(problems.diagnostics)
                throw ExitCode(1)
            }
        }
    }

    /// The inventory and the cluster read: reported, checked and joined into the world.
    private static func assemble(_ read: InventoryLoad, _ state: ClusterState, _ clusterErrors: [Diagnostic],
                                 console: Console) throws -> LoadedInput {
        let (inventory, state) = try check(read, state, clusterErrors, console: console)
        switch join(inventory, state) {
        case .success(let input): return input
        case .failure(let problems):
            console.report(problems.diagnostics)
            throw ExitCode(1)
        }
    }

    /// The read's problems reported; errors end the command.
    private static func check(_ read: InventoryLoad, _ state: ClusterState, _ clusterErrors: [Diagnostic],
                              console: Console) throws -> (Inventory, ClusterState) {
        let errors = read.diagnostics + clusterErrors
        guard !read.hasErrors, let inv = read.inventory, !errors.contains(where: { $0.severity == .error }) else {
            console.report(errors)
            throw ExitCode(1)
        }
        console.report(errors)
        return (inv, state)
    }

    /// What joining the inventory and the cluster into one world found wrong.
    struct Problems: Error {
        var diagnostics: [Diagnostic]
    }

    /// The world, or what keeps the inventory and the cluster from joining.
    private static func join(_ inventory: Inventory, _ state: ClusterState) -> Result<LoadedInput, Problems> {
        let (world, problems) = World.build(cluster: state, inventory: inventory)
        guard problems.isEmpty else { return .failure(Problems(diagnostics: problems)) }
        return .success(LoadedInput(inventory: inventory, world: world, lint: Background { PolicyLint(world: world).warnings() }))
    }

    /// The hosts the command works on (all, or those named by --host; an unknown name is an error).
    func hosts(_ names: [String], console: Console) throws -> [LegacyHost] {
        if names.isEmpty { return world.hosts }
        var out: [LegacyHost] = []
        for n in names {
            guard let h = world.hosts.first(where: { $0.name == n }) else {
                console.error("--host \(n): no such host in \(inventory.source)")
                throw ExitCode(1)
            }
            if !out.contains(h) { out.append(h) }
        }
        return out.sorted { $0.name < $1.name }
    }
}
