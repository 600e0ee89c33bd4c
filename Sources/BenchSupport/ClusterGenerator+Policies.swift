/// The policies: even ones in the inventory-only namespaces (selecting hosts),
/// odd ones in cluster namespaces (selecting pods, and the hosts that sit
/// there); every third has egress rules, a quarter of those egress only.
/// Peers are mostly whole namespaces by label (`env: live` picks half the
/// cluster), namespace plus pod selectors, and ipBlocks with except; ports mix
/// numbers, names, endPort ranges and UDP.
extension ClusterGenerator {
    /// Policy 0, whatever the seed: billing-db in legacy-0 admits every live
    /// namespace on its postgres port. The explain probe relies on it.
    static let anchorName = "billing-db-from-live"

    func policies(for cluster: SyntheticCluster, _ rng: inout SplitMix64) -> [SyntheticPolicy] {
        var out: [SyntheticPolicy] = []
        out.reserveCapacity(scale.policies)
        for i in 0..<scale.policies {
            if i == 0 {
                out.append(SyntheticPolicy(
                    namespace: cluster.inventoryNamespaces[0].name, name: Self.anchorName, uid: rng.uuid(),
                    podSelector: .labels([.init("app", "billing-db")]),
                    ingress: [.init(peers: [.namespaces(.labels([.init("env", "live")]))],
                                    ports: [.init(proto: "TCP", port: .named("postgres"))])],
                    egress: nil, isolatesIngress: true))
                continue
            }
            out.append(policy(i, cluster, &rng))
        }
        return out
    }

    private func policy(_ i: Int, _ cluster: SyntheticCluster, _ rng: inout SplitMix64) -> SyntheticPolicy {
        let inInventory = i % 2 == 0
        let namespace = inInventory
            ? cluster.inventoryNamespaces[(i / 2) % cluster.inventoryNamespaces.count].name
            : cluster.namespaces[(i / 2) % cluster.namespaces.count].name
        let targetApps = inInventory ? Catalog.hostApps : Catalog.podApps
        let podSelector: SyntheticPolicy.Selector
        let target: String
        switch rng.weighted([70, 10, 20]) {
        case 0:
            let app = rng.pick(targetApps).name
            podSelector = .labels([.init("app", app)])
            target = app
        case 1:
            podSelector = .all
            target = "all"
        default:
            if inInventory {
                let tiers = rng.pick([["data"], ["data", "ops"], ["app"]])
                podSelector = .keyIn("tier", tiers)
                target = tiers.joined(separator: "-")
            } else {
                let tier = rng.pick(["web", "api", "data", "worker"])
                podSelector = .labels([.init("tier", tier)])
                target = tier
            }
        }
        // Named ports of ingress rules are ports the targets have, as a
        // policy's author would write them.
        let selected = targetApps.filter { app in podSelector.matches([.init("app", app.name), .init("tier", app.tier)]) }
        let hasEgress = i % 3 == 0
        let egressOnly = hasEgress && i % 12 == 0
        let ingress = egressOnly ? [] : (0..<(1 + rng.below(3))).map { _ in
            rule(inInventory, cluster, destinations: selected, &rng)
        }
        let egress = hasEgress ? (0..<(1 + rng.below(2))).map { _ in
            rule(inInventory, cluster, destinations: nil, &rng)
        } : nil
        return SyntheticPolicy(namespace: namespace, name: "\(target)-\(egressOnly ? "egress" : "ingress")-\(i)",
                               uid: rng.uuid(), podSelector: podSelector, ingress: ingress, egress: egress,
                               isolatesIngress: !egressOnly)
    }

    /// `destinations`: the apps a named port must be found on (the targets,
    /// for ingress); nil for egress, where the peers are the destinations.
    private func rule(_ inInventory: Bool, _ cluster: SyntheticCluster, destinations: [Catalog.App]?,
                      _ rng: inout SplitMix64) -> SyntheticPolicy.Rule {
        let peerCount = [1, 2, 0][rng.weighted([70, 25, 5])]
        let portCount = [0, 1, 2][rng.weighted([15, 60, 25])]
        let peers = (0..<peerCount).map { _ in peer(inInventory, cluster, &rng) }
        var named = destinations ?? peers.flatMap(Self.apps)
        if named.isEmpty { named = Catalog.podApps }
        return SyntheticPolicy.Rule(peers: peers, ports: (0..<portCount).map { _ in port(names: named, &rng) })
    }

    /// The apps a peer picks by name (none for whole namespaces and ipBlocks).
    static func apps(_ peer: SyntheticPolicy.Peer) -> [Catalog.App] {
        let selector: SyntheticPolicy.Selector
        switch peer {
        case .pods(let s), .podsInNamespaces(let s, _): selector = s
        case .namespaces, .ipBlock: return []
        }
        guard case .labels(let labels) = selector, let app = labels["app"] else { return [] }
        return (Catalog.podApps + Catalog.hostApps).filter { $0.name == app }
    }

    private func peer(_ inInventory: Bool, _ cluster: SyntheticCluster, _ rng: inout SplitMix64) -> SyntheticPolicy.Peer {
        func app(_ apps: [Catalog.App]) -> SyntheticPolicy.Selector { .labels([.init("app", rng.pick(apps).name)]) }
        switch rng.weighted([25, 25, 10, 10, 15, 10, 5]) {
        case 0:
            return .namespaces(.labels([.init("env", "live")]))
        case 1:
            return .podsInNamespaces(pods: app(Catalog.podApps),
                                     namespaces: .labels([.init("team", rng.pick(Catalog.teams))]))
        case 2:
            return .pods(app(inInventory ? Catalog.hostApps : Catalog.podApps))
        case 3:
            let ns = rng.pick(cluster.namespaces).name
            return .podsInNamespaces(pods: .keyIn("tier", ["web", "api"]),
                                     namespaces: .labels([.init("kubernetes.io/metadata.name", ns)]))
        case 4:
            let (cidr, except) = rng.pick(Catalog.ipBlocks)
            return .ipBlock(cidr: cidr, except: except)
        case 5:
            return .podsInNamespaces(pods: app(Catalog.podApps), namespaces: .all)
        default:
            return .podsInNamespaces(pods: app(Catalog.hostApps), namespaces: .labels([.init("zone", "datacenter")]))
        }
    }

    /// A number, a name of one of `apps`' ports, a range, UDP, or every TCP port.
    private func port(names apps: [Catalog.App], _ rng: inout SplitMix64) -> SyntheticPolicy.Port {
        let ports = apps.flatMap(\.ports)
        let tcpNames = ports.filter { $0.proto == "TCP" }.map(\.name)
        let udpNames = ports.filter { $0.proto == "UDP" }.map(\.name)
        switch rng.weighted([30, 30, 15, 15, 10]) {
        case 0: return .init(proto: "TCP", port: .number(rng.pick(Catalog.numberedPorts)))
        case 1:
            guard !tcpNames.isEmpty else { return .init(proto: "TCP", port: .number(rng.pick(Catalog.numberedPorts))) }
            return .init(proto: "TCP", port: .named(rng.pick(tcpNames)))
        case 2:
            let (start, end) = rng.pick(Catalog.ranges)
            return .init(proto: "TCP", port: .number(start), endPort: end)
        case 3:
            if !udpNames.isEmpty, rng.below(2) == 0 { return .init(proto: "UDP", port: .named(rng.pick(udpNames))) }
            return .init(proto: "UDP", port: .number(rng.pick(Catalog.udpNumbers)))
        default: return .init(proto: "TCP", port: nil)
        }
    }
}
