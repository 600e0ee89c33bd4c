import ExtendCore

/// The controller without its I/O: the cluster as watched, the inventory as
/// last read, the incremental compiler and the reconcile loop. Inputs in,
/// host runs out; the service does the watching, reading and SSH.
///
/// Before the initial sync only the mirror fills up. At the sync the world is
/// built once, every host is run once, and from then on a change reaches only
/// the hosts whose desired state it changes.
public final class ControllerEngine {
    public enum Input: Sendable {
        /// Changes from the watches (an initial list, a relist's difference, or watch events).
        case cluster([ClusterChange])
        /// Every watch has handed on its initial state.
        case synced
        /// The inventory file changed and reads without errors.
        case inventory(Inventory)
        /// A host run ended.
        case hostDone(String, succeeded: Bool)
        /// Time passed.
        case tick
        /// Run every host: this replica has just become the leader (it is
        /// ready once they have all succeeded).
        case runAll
        /// A run that was not done, because this replica does not lead: the
        /// host counts as settled until `runAll`.
        case skipped(String)
        /// Hosts of the managed hosts record that left the inventory while no
        /// controller ran: their rules are removed, as for a host removed now.
        /// Hosts the engine already works on are left to that.
        case retired([ManagedHost])
    }

    /// One host to work on, with everything the run needs.
    public struct Run: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case converge
            /// Remove everything of ours: the host left the inventory.
            case remove
        }
        public var kind: Kind
        public var host: LegacyHost
        /// What it should hold (nothing, for a removal).
        public var desired: HostDesiredState
        /// Runs with the same key hold the same rules and set members (see `IncrementalCompiler.StateKey`).
        public var key: IncrementalCompiler.StateKey?

        public init(kind: Kind, host: LegacyHost, desired: HostDesiredState, key: IncrementalCompiler.StateKey? = nil) {
            self.kind = kind
            self.host = host
            self.desired = desired
            self.key = key
        }
    }

    public let settings: ReconcileSettings
    /// Added to every host's lockout guard: where the controller connects from.
    private let extraGuard: [CIDR]
    private var mirror = ClusterMirror()
    private(set) public var inventory: Inventory
    private var compiler: IncrementalCompiler?
    private var loop: ReconcileLoop?
    /// Hosts that left the inventory, kept until their removal succeeds (their SSH settings).
    private var leaving: [String: LegacyHost] = [:]
    /// Problems of the world as last built (address collisions and the like), for logs and events.
    public private(set) var problems: [Diagnostic] = []
    /// Hosts not yet run successfully since the sync: the first full reconcile is done when it is empty.
    private var firstPass: Set<String> = []

    public init(inventory: Inventory, settings: ReconcileSettings, extraGuard: [CIDR] = []) {
        self.inventory = inventory
        self.settings = settings
        self.extraGuard = extraGuard
    }

    public var isSynced: Bool { compiler != nil }
    /// The world as compiled now (nil before the sync): what the companions are planned from.
    public var world: World? { compiler?.world }
    /// Every host has been run successfully once since the sync (for /readyz).
    public var firstReconcileDone: Bool { isSynced && firstPass.isEmpty }
    public var clusterCounts: (namespaces: Int, pods: Int, policies: Int) { mirror.counts }

    /// When the service should send `.tick` if nothing else happens.
    public var nextWakeup: Duration? { loop?.nextWakeup }

    public func state(of host: String) -> ReconcileLoop.HostState? { loop?.state(of: host) }
    public var hostNames: [String] { loop?.hostNames ?? [] }

    public func handle(_ input: Input, now: Duration) -> [Run] {
        switch input {
        case .cluster(let changes):
            for c in changes { mirror.apply(c) }
            guard let compiler, loop != nil else { return [] }
            let delta = compiler.apply(changes)
            return step(.changed(delta.hosts.map(\.name)), now: now)
        case .synced:
            guard compiler == nil else { return step(.tick, now: now) }
            build(now: now)
            return step(.tick, now: now)
        case .inventory(let new):
            let diff = InventoryDiff(from: inventory, to: new)
            inventory = new
            guard let compiler else { return [] }
            // Kept until their removal succeeds: the world forgets them now.
            for name in diff.removed { leaving[name] = compiler.world.host(named: name) }
            if diff.namespacesChanged {
                build(now: now)
                return step(.changed(new.hosts.map(\.name)), now: now) + step(.removed(diff.removed), now: now)
            }
            let delta = compiler.apply(diff.changes)
            let changed = delta.hosts.filter { !$0.removed }.map(\.name)
            // A host added back while leaving is in the inventory again.
            for name in changed { leaving[name] = nil }
            var runs = step(.changed(changed), now: now)
            runs += step(.removed(diff.removed), now: now)
            return runs
        case .hostDone(let name, let ok):
            if ok {
                firstPass.remove(name)
                if loop?.state(of: name) == .removing { leaving[name] = nil }
            }
            return step(ok ? .succeeded(name) : .failed(name), now: now)
        case .tick:
            return step(.tick, now: now)
        case .runAll:
            if isSynced { firstPass = Set(inventory.hosts.map(\.name)) }
            return step(.changed(inventory.hosts.map(\.name)), now: now)
        case .skipped(let name):
            return step(.succeeded(name), now: now)
        case .retired(let hosts):
            guard compiler != nil else { return [] }
            let listed = Set(inventory.hosts.map(\.name))
            let fresh = hosts.filter { !listed.contains($0.name) && loop?.state(of: $0.name) == nil }
            for h in fresh {
                leaving[h.name] = LegacyHost(name: h.name, namespace: "", addresses: h.addresses, ssh: h.ssh)
            }
            return step(.retired(fresh.map(\.name)), now: now)
        }
    }

    /// Builds the world and the compiler from the mirror and the inventory
    /// (at the sync, or again when the inventory's namespaces change).
    private func build(now: Duration) {
        let (world, problems) = World.build(cluster: mirror.state, inventory: inventory)
        self.problems = problems
        compiler = IncrementalCompiler(world: world, extraGuard: extraGuard)
        // A first build starts the loop with every host due; a rebuild marks them all changed (the caller's step).
        if loop == nil {
            let names = inventory.hosts.map(\.name)
            loop = ReconcileLoop(hosts: names, settings: settings, now: now)
            firstPass = Set(names)
        }
    }

    /// Drops what the compiler keeps of deleted objects (at a resync).
    public func compact() -> Int { compiler?.compact() ?? 0 }

    private func step(_ event: ReconcileLoop.Event, now: Duration) -> [Run] {
        guard var loop, let compiler else { return [] }
        var runs: [Run] = []
        var events = [event]
        while let e = events.popLast() {
            for a in loop.handle(e, now: now) {
                switch a {
                case .converge(let name):
                    if let host = compiler.world.host(named: name), let (desired, key) = compiler.keyedState(of: name) {
                        runs.append(Run(kind: .converge, host: host, desired: desired, key: key))
                    } else {
                        // Gone from the inventory meanwhile: nothing to run; its removal follows.
                        events.append(.succeeded(name))
                    }
                case .remove(let name):
                    if let host = leaving[name] {
                        runs.append(Run(kind: .remove, host: host, desired: .nothing(host: name)))
                    } else {
                        events.append(.succeeded(name))
                    }
                }
            }
        }
        self.loop = loop
        return runs
    }
}
