/// Endpoints (pods and legacy hosts) that every policy treats alike, grouped
/// into classes: the analysis judges one pair of classes where it would
/// otherwise judge every pair of endpoints.
///
/// Two endpoints are alike when they are of one kind in one namespace, the
/// same policies select them, the same selector peers pick them, the
/// addresses a connection would use (the first of each family, as `explain`
/// uses) lie in the same cells of every ipBlock, `except` and management
/// range, their named ports resolve to the same numbers, and (legacy hosts)
/// their lockout guards are the same.
public struct EndpointClasses: Sendable {
    public struct Class: Hashable, Sendable {
        public var id: Int
        /// Sorted by namespace, then name.
        public var members: [Workload]
        public var namespace: String { members[0].namespace }
        public var kind: Workload.Kind { members[0].kind }

        /// The labels every member carries.
        public var commonLabels: Labels {
            members.dropFirst().reduce(members[0].labels) { common, w in common.filter { w.labels[$0.key] == $0.value } }
        }
    }

    /// Sorted by their first member.
    public private(set) var classes: [Class] = []
    /// The distinct selector peers of every policy, numbered.
    let selectorPeers: [SelectorPeer: Int]
    /// Per class: the selector peers that pick its members.
    let pickedBy: [Set<Int>]
    /// Every (name, protocol) a policy names a port by, numbered; per class, what each resolves to.
    let namedPorts: [NamedPortKey: Int]
    let resolved: [[Int?]]
    /// Each endpoint's class, by `NAMESPACE/NAME`.
    private let classByRef: [String: Int]

    struct SelectorPeer: Hashable {
        var namespaces: LabelSelector?
        /// The policy's namespace, when there is no namespace selector.
        var own: String?
        var pods: LabelSelector
    }

    struct NamedPortKey: Hashable {
        var name: String
        var proto: Proto
    }

    private struct Signature: Hashable {
        var kind: Workload.Kind
        var namespace: String
        var selectedBy: [Int]
        var pickedBy: [Int]
        var families: [AddressFamily]
        var cells: [[Int]]
        var resolved: [Int?]
        var guardRanges: [CIDR]
        var sshPort: Int?
    }

    public init(world: World) {
        let selection = Selection(world: world)
        let policies = world.policies
        let endpoints = world.allWorkloads
        // Where each namespace's workloads start in `endpoints` (they are listed namespace by
        // namespace), so that a selection's indices need no lookup by name.
        var offset: [String: Int] = [:]
        var next = 0
        for ns in world.namespaceNames {
            offset[ns] = next
            next += world.workloads(in: ns).count
        }

        var selectedBy = Array(repeating: [Int](), count: endpoints.count)
        for (pi, p) in policies.enumerated() {
            guard let base = offset[p.namespace] else { continue }
            for j in selection.targetIndices(of: p) { selectedBy[base + j].append(pi) }
        }
        var peers: [SelectorPeer: Int] = [:]
        var picked = Array(repeating: [Int](), count: endpoints.count)
        var named: [NamedPortKey: Int] = [:]
        var ranges = Set<CIDR>()
        for p in policies {
            for rule in p.ingress + p.egress {
                for peer in rule.peers {
                    switch peer {
                    case .ipBlock(let b):
                        ranges.insert(b.cidr)
                        ranges.formUnion(b.except)
                    case .workloads(let pod, let ns):
                        let key = SelectorPeer(namespaces: ns, own: ns == nil ? p.namespace : nil, pods: pod ?? .everything)
                        guard peers[key] == nil else { continue }
                        let id = peers.count
                        peers[key] = id
                        for n in selection.namespaces(for: ns, policyNamespace: p.namespace) {
                            guard let base = offset[n] else { continue }
                            for j in selection.indices(key.pods, in: n) { picked[base + j].append(id) }
                        }
                    }
                }
                for m in rule.ports {
                    if case .named(let name)? = m.port, named[NamedPortKey(name: name, proto: m.proto)] == nil {
                        named[NamedPortKey(name: name, proto: m.proto)] = named.count
                    }
                }
            }
        }
        for h in world.hosts { ranges.formUnion(h.management) }
        let cidrs = ranges.sorted()
        let names = named.sorted { $0.value < $1.value }.map(\.key)

        var byKey: [Signature: Int] = [:]
        var byRef: [String: Int] = [:]
        var members: [[Workload]] = []
        var classPicked: [Set<Int>] = []
        var classResolved: [[Int?]] = []
        for (i, w) in endpoints.enumerated() {
            let families = AddressFamily.allCases.filter { f in w.addresses.contains { $0.family == f } }
            let cells = families.map { f in
                let a = w.addresses.first { $0.family == f }!
                return cidrs.indices.filter { cidrs[$0].contains(a) }
            }
            let resolved = names.map { w.resolve(portName: $0.name, proto: $0.proto) }
            let host = w.kind == .host ? world.host(of: w) : nil
            let sig = Signature(kind: w.kind, namespace: w.namespace, selectedBy: selectedBy[i], pickedBy: picked[i].sorted(),
                                families: families, cells: cells, resolved: resolved,
                                guardRanges: host?.management.sorted() ?? [], sshPort: host?.ssh.port)
            if let c = byKey[sig] {
                byRef[w.ref] = c
                members[c].append(w)
            } else {
                byRef[w.ref] = members.count
                byKey[sig] = members.count
                members.append([w])
                classPicked.append(Set(picked[i]))
                classResolved.append(resolved)
            }
        }
        classes = members.enumerated().map { Class(id: $0.offset, members: $0.element) }
        selectorPeers = peers
        pickedBy = classPicked
        namedPorts = named
        resolved = classResolved
        classByRef = byRef
    }

    /// The class of an endpoint, by `NAMESPACE/NAME`.
    public func classOf(_ ref: String) -> Class? { classByRef[ref].map { classes[$0] } }
}
