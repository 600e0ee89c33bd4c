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
        let read = await inventoryRead
        let errors = read.diagnostics + clusterErrors
        guard !read.hasErrors, let inv = read.inventory, !errors.contains(where: { $0.severity == .error }) else {
            console.report(errors)
            throw ExitCode(1)
        }
        console.report(errors)
        let (world, problems) = World.build(cluster: state, inventory: inv)
        if !problems.isEmpty {
            console.report(problems)
            throw ExitCode(1)
        }
        return LoadedInput(inventory: inv, world: world, lint: Background { PolicyLint(world: world).warnings() })
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
