/// Builds a `SyntheticCluster` of issue 10's shape from a scale and a seed:
/// namespaces with team/env labels (half of them env=live), running pods of a
/// few deployments per namespace with kubectl-like names, IPs from the pod
/// CIDR 10.0.0.0/14 (every tenth pod dual-stack, fd00:10::/32), legacy hosts
/// in inventory-only namespaces and in cluster namespaces (198.18.0.0/15 and
/// 10.200.0.0/15, every eighth with an IPv6 address in 2001:db8:100::/48), and
/// policies (`ClusterGenerator+Policies`). Everything comes from SplitMix64
/// streams drawn in a fixed order: same scale and seed, same cluster.
public struct ClusterGenerator {
    public let scale: BenchScale

    public init(scale: BenchScale) { self.scale = scale }

    /// Pods per node at most (a /24 per node, .2 to .254).
    static let podsPerNodeLimit = 253
    /// /24s in the pod CIDR 10.0.0.0/14.
    static let nodeLimit = 1024
    /// Host addresses per /24 of a host range.
    static let hostsPerBlock = 250

    public func generate() throws(GeneratorError) -> SyntheticCluster {
        try check()
        // One stream per kind of object, so that growing one count leaves the
        // others as they were: 4x pods has the base's policies, word for word.
        var namespaceRNG = stream(1), podRNG = stream(2), policyRNG = stream(3)
        let namespaces = clusterNamespaces(&namespaceRNG)
        let inventoryNamespaces = self.inventoryNamespaces(&namespaceRNG)
        let pods = self.pods(in: namespaces, &podRNG)
        let hosts = self.hosts(clusterNamespaces: namespaces, inventoryNamespaces: inventoryNamespaces)
        var cluster = SyntheticCluster(scale: scale, namespaces: namespaces, inventoryNamespaces: inventoryNamespaces,
                                       pods: pods, hosts: hosts, policies: [])
        cluster.policies = policies(for: cluster, &policyRNG)
        return cluster
    }

    private func stream(_ n: UInt64) -> SplitMix64 {
        SplitMix64(seed: scale.seed ^ (n &* 0xD1B5_4A32_D192_ED03))
    }

    private func check() throws(GeneratorError) {
        guard scale.pods >= 0, scale.policies >= 0, scale.hosts >= 0, scale.namespaces >= 1 else {
            throw GeneratorError("counts must not be negative, and there must be at least one namespace")
        }
        let podLimit = Self.nodeLimit * Self.podsPerNodeLimit
        guard scale.pods <= podLimit else {
            throw GeneratorError("\(scale.pods) pods do not fit the pod CIDR 10.0.0.0/14 (at most \(podLimit))")
        }
        // 198.18.1.0-198.19.255.255 for four hosts in five, 10.200.0.0/15 for the fifth.
        let hostLimit = 511 * Self.hostsPerBlock
        guard scale.hosts <= hostLimit else {
            throw GeneratorError("\(scale.hosts) hosts do not fit 198.18.0.0/15 (at most \(hostLimit))")
        }
    }

    /// Half live (the namespaces `env: live` picks), the rest staging or dev;
    /// each team owns a live and a non-live namespace in turn.
    private func clusterNamespaces(_ rng: inout SplitMix64) -> [SyntheticCluster.Namespace] {
        (0..<scale.namespaces).map { i in
            let team = Catalog.teams[(i / 2) % Catalog.teams.count]
            let env = i % 2 == 0 ? "live" : (i % 4 == 1 ? "staging" : "dev")
            return SyntheticCluster.Namespace(name: "\(team)-\(env)-\(i)", uid: rng.uuid(),
                                              labels: [.init("env", env), .init("team", team)])
        }
    }

    private func inventoryNamespaces(_ rng: inout SplitMix64) -> [SyntheticCluster.Namespace] {
        (0..<scale.inventoryNamespaces).map { k in
            SyntheticCluster.Namespace(
                name: "legacy-\(k)", uid: rng.uuid(),
                labels: [.init("env", k % 2 == 0 ? "live" : "staging"),
                         .init("team", Catalog.teams[k % Catalog.teams.count]),
                         .init("zone", "datacenter")])
        }
    }

    /// Pod i runs in namespace i mod N, on node i mod nodes, in a deployment
    /// drawn by weight. One /24 per node.
    private func pods(in namespaces: [SyntheticCluster.Namespace], _ rng: inout SplitMix64) -> [SyntheticCluster.Pod] {
        let apps = Catalog.podApps
        // One ReplicaSet per namespace and app: its pod-template-hash and uid.
        var replicaSets: [[(hash: String, uid: String)]] = []
        for _ in namespaces {
            replicaSets.append(apps.map { _ in (Self.kubeName(rng.next(), length: 10), rng.uuid()) })
        }
        var counters = Array(repeating: Array(repeating: 0, count: apps.count), count: namespaces.count)
        let nodes = min(Self.nodeLimit, max(1, (scale.pods + 99) / 100))
        let weights = apps.map(\.weight)
        var out: [SyntheticCluster.Pod] = []
        out.reserveCapacity(scale.pods)
        for i in 0..<scale.pods {
            let n = i % namespaces.count
            let a = rng.weighted(weights)
            let app = apps[a]
            let ns = namespaces[n]
            let rs = replicaSets[n][a]
            // A bijection of the counter onto five letters: names never repeat within a ReplicaSet.
            let c = counters[n][a]
            counters[n][a] += 1
            let suffix = Self.kubeName(UInt64((c &* 7_919 &+ 1_234) % 14_348_907), length: 5)
            let node = i % nodes
            let slot = i / nodes + 2
            var ips = ["10.\(node >> 8).\(node & 0xFF).\(slot)"]
            if i % 10 == 0 { ips.append("fd00:10::\(String(node, radix: 16)):\(String(slot, radix: 16))") }
            out.append(SyntheticCluster.Pod(
                namespace: ns.name, name: "\(app.name)-\(rs.hash)-\(suffix)", uid: rng.uuid(),
                labels: [.init("app", app.name), .init("pod-template-hash", rs.hash), .init("tier", app.tier)],
                owner: "\(app.name)-\(rs.hash)", ownerUID: rs.uid, container: app.name, ports: app.ports, ips: ips))
        }
        return out
    }

    /// Three hosts in five sit in the inventory-only namespaces (host j in
    /// legacy-(j mod K), so legacy-0 holds host 0, a billing-db), the others
    /// in cluster namespaces.
    private func hosts(clusterNamespaces: [SyntheticCluster.Namespace],
                       inventoryNamespaces: [SyntheticCluster.Namespace]) -> [SyntheticCluster.Host] {
        let apps = Catalog.hostApps
        let inInventory = (scale.hosts * 3 + 4) / 5
        let width = max(4, String(max(0, scale.hosts - 1)).count)
        return (0..<scale.hosts).map { j in
            let namespace: String
            let app: Catalog.App
            if j < inInventory {
                namespace = inventoryNamespaces[j % inventoryNamespaces.count].name
                app = apps[(j / inventoryNamespaces.count) % apps.count]
            } else {
                namespace = clusterNamespaces[(j &* 7) % clusterNamespaces.count].name
                app = apps[j % apps.count]
            }
            let block = j / Self.hostsPerBlock, offset = j % Self.hostsPerBlock + 1
            var addresses = [j % 5 == 4
                ? "10.\(200 + block / 256).\(block % 256).\(offset)"
                : "198.\(18 + (block + 1) / 256).\((block + 1) % 256).\(offset)"]
            if j % 8 == 0 { addresses.append("2001:db8:100::\(String(j + 1, radix: 16))") }
            let number = String(j)
            return SyntheticCluster.Host(
                name: "\(app.name)-\(String(repeating: "0", count: max(0, width - number.count)))\(number)",
                namespace: namespace,
                labels: [.init("app", app.name), .init("role", "legacy"), .init("tier", app.tier)],
                addresses: addresses, ports: app.ports, logDrops: j % 20 == 0)
        }
    }

    /// Letters and digits kubectl uses in generated names (no vowels, no
    /// look-alikes), `length` of them from `value`.
    static func kubeName(_ value: UInt64, length: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var v = value
        var out = ""
        for _ in 0..<length {
            out.append(alphabet[Int(v % UInt64(alphabet.count))])
            v /= UInt64(alphabet.count)
        }
        return out
    }
}
