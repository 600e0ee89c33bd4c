/// Turns the policies into what each legacy host must hold. Pure: the world
/// and options in, desired states out.
///
/// Ingress is enforced on the host's INPUT path, egress on its OUTPUT path. In
/// each isolated direction, in order: replies to established connections,
/// loopback, IPv6 neighbour and router discovery, the lockout guard, one
/// accept per (policy rule × port) matching the peer set (each policy in a
/// chain of its own, its rules' comments naming policy, direction and rule),
/// then the final deny: a drop, or in audit mode a counted accept
/// (`RuleComment` has the comments). A direction no policy isolates gets nothing.
public final class Compiler {
    let peers: PeerResolver
    /// Policy chains, per policy id: `nil` inside when the policy admits nothing there.
    private var chainCache: [String: [ChainKey: CompiledChain?]] = [:]
    /// Which policies' chains each peer memo went into (to drop them when it changes).
    private(set) var policiesByTarget: [Int: Set<String>] = [:]
    private(set) var policiesByNamed: [Int: Set<String>] = [:]
    private var ruleSets: [TablesKey: (rules: RuleSet, id: Int)] = [:]
    /// Each rule set's tables with their sets gathered, by number.
    private var gathered: [Int: [FamilyTable]] = [:]
    /// Per namespace, its policies by pod selector (`isolatingIndices`).
    private var policyGroups: [String: [PolicyGroup]] = [:]

    /// The policies of a namespace that share one pod selector, as indices
    /// into `world.policiesByNamespace`, with the directions each isolates.
    private struct PolicyGroup {
        var selector: LabelSelector
        var policies: [(index: Int, types: Set<Direction>)]
    }

    public init(world: World) {
        peers = PeerResolver(world: world)
    }

    public var world: World { peers.world }
    public var selection: Selection { peers.selection }

    /// - Parameter extraGuard: sources added to every host's lockout guard
    ///   (the address this run connects from, when known).
    public func compile(_ host: LegacyHost, extraGuard: [CIDR] = []) -> HostDesiredState {
        compileSharing(host, extraGuard: extraGuard).state
    }

    /// The host's desired state, and which rule set it holds: hosts with the
    /// same number hold the same tables and drop logs (only their names
    /// differ); nil for a host that needs nothing. Numbers hold until the
    /// compiler's memo is dropped.
    public func compileSharing(_ host: LegacyHost, extraGuard: [CIDR] = []) -> (state: HostDesiredState, ruleSet: Int?) {
        guard let (rules, id) = ruleSet(host, extraGuard: extraGuard) else { return (.nothing(host: host.name), nil) }
        if let hit = gathered[id] { return (HostDesiredState(host: host.name, tables: hit, rules: rules), id) }
        let tables = rules.tables.map { t in
            FamilyTable(family: t.family, sets: gather(t.matched), chains: t.chains, matched: t.matched)
        }
        gathered[id] = tables
        return (HostDesiredState(host: host.name, tables: tables, rules: rules), id)
    }

    /// The rules a host holds, before its sets are gathered, and their
    /// number (see `compileSharing`); nil for a host that needs nothing. Its
    /// rules name the sets they match; `set(named:)` gives each, and a list's
    /// members are sets of their own.
    public func ruleSet(_ host: LegacyHost, extraGuard: [CIDR] = []) -> (rules: RuleSet, id: Int)? {
        let me = host.workload
        let pool = world.policiesByNamespace[me.namespace] ?? []
        let chosen = isolatingIndices(me)
        guard chosen.contains(where: { !$0.isEmpty }) else { return nil }
        let guardSources = Array(Set(host.management + extraGuard)).sorted()
        // Hosts that the same policies isolate, with the same ports and guard,
        // hold the same rules: many hosts of a fleet share one compile.
        let key = TablesKey(policies: chosen.map { $0.map { pool[$0].id } }, ports: me.namedPorts, sshPort: host.ssh.port,
                            guardSources: guardSources, logHost: host.logDrops ? host.name : nil, enforcement: host.enforcement)
        if let hit = ruleSets[key] { return hit }
        let isolating = zip(Direction.allCases, chosen).map { (dir: $0, policies: $1.map { pool[$0] }) }
        // Each isolating policy's chain per family (nil where it admits nothing).
        let families = AddressFamily.allCases
        let compiled = isolating.map { d, policies in
            policies.map { p in (policy: p, chains: families.map { policyChain(p, d, $0, host: me) }) }
        }
        let denyTags = zip(isolating, compiled).map { iso, list in
            Rules.denyTag(iso.dir, list.map { ($0.policy.id, $0.chains.map { $0?.chain.name }) })
        }
        var tables: [RuleSet.Table] = []
        var tags: [DropLogTag] = []
        for (fi, f) in families.enumerated() {
            var matched: Set<String> = []
            var chains: [String: ChainSpec] = [:]
            var top: [ChainSpec] = []
            for (di, (d, policies)) in isolating.enumerated() {
                var rules: [RuleSpec] = []
                if !policies.isEmpty {
                    rules += Rules.preamble(d, f, guardSources: guardSources.filter { $0.family == f }, sshPort: host.ssh.port)
                    // Each policy has a chain of its own (its rules' comments name it), and
                    // every isolating policy is named here, also one that admits nothing.
                    for (p, perFamily) in compiled[di] {
                        let c = perFamily[fi]
                        if let c, chains.updateValue(c.chain, forKey: c.chain.name) == nil { matched.formUnion(c.sets) }
                        rules.append(Rules.policy(PolicyLabel.label(p.id), d, chain: c?.chain.name))
                    }
                    if host.logDrops {
                        let tag = DropLogTag(prefix: Rules.logPrefix(host: host.name, d, policies.map(\.id)),
                                             host: host.name, direction: d, policies: policies.map(\.id))
                        if f == .inet { tags.append(tag) }
                        rules.append(Rules.log(prefix: tag.prefix))
                    }
                    rules.append(Rules.deny(d, tag: denyTags[di], host.enforcement))
                }
                top.append(ChainSpec(name: Naming.topChain(d), rules: rules))
            }
            tables.append(RuleSet.Table(family: f, matched: matched.sorted(),
                                        chains: top + chains.values.sorted { $0.name < $1.name }))
        }
        let labels = Set(isolating.flatMap { $0.policies.compactMap { PolicyLabel.forLong($0.id) } })
        let out = (RuleSet(tables: tables, dropLogs: tags, enforcement: host.enforcement,
                           policyLabels: labels.sorted { $0.label < $1.label }), ruleSets.count)
        ruleSets[key] = out
        return out
    }

    /// Per direction, as `Selection.isolatingIndices` gives them: the
    /// policies of the host's namespace that isolate it. A namespace's many
    /// policies share few pod selectors (`app: db`), and each is tested once.
    func isolatingIndices(_ w: Workload) -> [[Int]] {
        let groups = policyGroups[w.namespace] ?? makePolicyGroups(w.namespace)
        var out = Direction.allCases.map { _ in [Int]() }
        for g in groups where g.selector.matches(w.labels) {
            for p in g.policies {
                for (di, d) in Direction.allCases.enumerated() where p.types.contains(d) { out[di].append(p.index) }
            }
        }
        return out.map { $0.sorted() }
    }

    private func makePolicyGroups(_ namespace: String) -> [PolicyGroup] {
        var groups: [PolicyGroup] = []
        var at: [LabelSelector: Int] = [:]
        for (i, p) in (world.policiesByNamespace[namespace] ?? []).enumerated() {
            let g = at[p.podSelector] ?? groups.count
            if g == groups.count {
                at[p.podSelector] = g
                groups.append(PolicyGroup(selector: p.podSelector, policies: []))
            }
            groups[g].policies.append((i, p.policyTypes))
        }
        policyGroups[namespace] = groups
        return groups
    }

    /// A set by name, with its current members.
    public func set(named name: String) -> IPSetSpec? { peers.spec(name) }

    /// The sets a family's rules match and the members of the lists among
    /// them: members before lists, each kind by name.
    private func gather(_ matched: [String]) -> [IPSetSpec] {
        var names = Set(matched)
        for name in matched {
            // A list brings its current members.
            if let list = peers.spec(name), list.kind == .listSet { names.formUnion(list.children) }
        }
        var specs: [IPSetSpec] = []
        specs.reserveCapacity(names.count)
        var lists: [IPSetSpec] = []
        // Sorting names is cheaper than sorting specs.
        for name in names.sorted() {
            guard let s = peers.spec(name) else { continue }
            if s.kind == .hashNet { specs.append(s) } else { lists.append(s) }
        }
        return specs + lists
    }

    /// How many different rule sets the hosts compiled so far hold (hosts share the rest).
    public var distinctRuleSets: Int { ruleSets.count }

    /// Forgets the compiled tables shared between hosts (their sets carry members that may have changed).
    func dropTablesMemo() {
        ruleSets = [:]
        gathered = [:]
        policyGroups = [:]
    }

    public func compileAll(extraGuard: [CIDR] = []) -> [HostDesiredState] {
        world.hosts.map { compile($0, extraGuard: extraGuard) }
    }

    /// One policy's chain for one direction and family; nil when it admits nothing.
    /// The same policy gives the same chain on every host, except where
    /// ingress named ports resolve on the host itself: memoised on that.
    private func policyChain(_ p: NetworkPolicy, _ d: Direction, _ f: AddressFamily, host: Workload) -> CompiledChain? {
        let usesHostPorts = d == .ingress && p.ingress.contains { $0.ports.contains { if case .named = $0.port { return true }; return false } }
        let key = ChainKey(direction: d, family: f, hostPorts: usesHostPorts ? host.namedPorts : [])
        if let hit = chainCache[p.id]?[key] { return hit }
        var sets: Set<String> = []
        let lines = policyRules(p, d, f, host: host, sets: &sets)
        var compiled: CompiledChain?
        if !lines.isEmpty {
            let name = Naming.chainName("\(f.rawValue)\n" + lines.map(\.description).joined(separator: "\n"))
            compiled = CompiledChain(chain: ChainSpec(name: name, rules: lines), sets: sets)
        }
        chainCache[p.id, default: [:]][key] = .some(compiled)
        return compiled
    }

    /// Forgets a policy's chains (it changed, or a peer memo it used did).
    func dropChains(of policy: String) { chainCache[policy] = nil }

    /// The accept rules of one policy in one direction and family.
    private func policyRules(_ p: NetworkPolicy, _ d: Direction, _ f: AddressFamily, host: Workload,
                             sets: inout Set<String>) -> [RuleSpec] {
        var out: [RuleSpec] = []
        func use(_ t: PeerTarget) -> String? {
            if let s = t.set { sets.insert(s) }
            return t.set
        }
        let label = PolicyLabel.label(p.id)
        for (index, rule) in p.rules(d).enumerated() {
            let (target, targets) = peers.targets(rule, policyNamespace: p.namespace, family: f)
            policiesByTarget[target, default: []].insert(p.id)
            // Ports name the receiving side's ports: this host for ingress,
            // each destination for egress.
            var plain: [PortClause] = []
            var named: [NetworkPolicy.PortMatch] = []
            if rule.allowsAllPorts { plain = [PortClause(proto: nil, range: nil)] }
            for m in rule.ports {
                switch m.port {
                case nil:
                    plain.append(PortClause(proto: m.proto, range: nil))
                case .number(let n):
                    plain.append(PortClause(proto: m.proto, range: n...max(n, m.endPort ?? n)))
                case .named(let name):
                    if d == .ingress {
                        // "a name that resolves on no target matches nothing there".
                        if let n = host.resolve(portName: name, proto: m.proto) {
                            plain.append(PortClause(proto: m.proto, range: n...n))
                        }
                    } else {
                        named.append(m)
                    }
                }
            }
            for t in targets {
                for c in plain {
                    out.append(Rules.accept(d, set: use(t), port: c, policy: label, index: index))
                }
            }
            for m in named {
                guard case .named(let name)? = m.port else { continue }
                let (named, byPort) = peers.destinationsByPort(rule, policyNamespace: p.namespace, family: f, name: name, proto: m.proto)
                policiesByNamed[named, default: []].insert(p.id)
                for (port, t) in byPort {
                    out.append(Rules.accept(d, set: use(t), port: PortClause(proto: m.proto, range: port...port),
                                           policy: label, index: index))
                }
            }
        }
        return out
    }
}

struct CompiledChain {
    var chain: ChainSpec
    /// The names of the sets its rules match (a list's members are added per
    /// host from the set table, so a list gaining an atom leaves the chain as it is).
    var sets: Set<String>
}

/// What a host's tables depend on besides the world: its isolating policies
/// per direction, its named ports, SSH port and guard, and its name where its drops are logged.
struct TablesKey: Hashable {
    var policies: [[String]]
    var ports: [NamedPort]
    var sshPort: Int
    var guardSources: [CIDR]
    var logHost: String?
    var enforcement: Enforcement
}

/// A policy's chain is the same on every host, except where ingress named
/// ports resolve on the host itself.
struct ChainKey: Hashable {
    var direction: Direction
    var family: AddressFamily
    var hostPorts: [NamedPort]
}

struct PortClause: Hashable {
    /// nil: every protocol (a rule without ports).
    var proto: Proto?
    /// nil: every port of the protocol.
    var range: ClosedRange<Int>?
}

extension IPSetSpec {
    /// A set named by its members (an ipBlock is its own definition).
    static func make(family: AddressFamily, members: [SetMember]) -> IPSetSpec {
        let sorted = PeerResolver.sortedUnique(members)
        let name = Naming.setName("\(family.rawValue)\n" + sorted.map(\.description).joined(separator: "\n"))
        return IPSetSpec(name: name, family: family, members: sorted)
    }
}
