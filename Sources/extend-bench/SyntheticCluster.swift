import ExtendCore

/// A synthetic cluster with a realistic mix: namespaces with team/env labels,
/// pods of a few hundred apps, legacy hosts spread over the namespaces, and
/// policies using pod and namespace selectors, matchExpressions, ipBlocks with
/// except, numeric, named and ranged ports, ingress and egress.
/// Deterministic: the same sizes and seed give the same cluster.
struct SyntheticCluster {
    var pods: Int
    var policies: Int
    var hosts: Int
    var namespaces: Int = 100
    var seed: UInt64 = 42

    func build() -> (ClusterState, Inventory) {
        var rng = SplitMix64(seed: seed)
        let envs = ["prod", "staging", "dev"]
        var nss: [Namespace] = []
        for i in 0..<namespaces {
            nss.append(Namespace(name: "ns-\(i)", labels: ["team": "team-\(i % 20)", "env": envs[i % 3]]))
        }
        let appsPerNS = 20
        var pods: [Pod] = []
        pods.reserveCapacity(self.pods)
        for i in 0..<self.pods {
            let ns = i % namespaces
            let app = Int(rng.next() % UInt64(appsPerNS))
            // 10.0.0.0/8 holds 16M pods; every 10th pod is dual-stack.
            let v4 = IPAddress.v4(0x0A00_0000 | UInt32(i + 1))
            var ips = [v4]
            if i % 10 == 0 { ips.append(.v6(hi: 0x2001_0db8_0000_0000, lo: UInt64(i + 1))) }
            pods.append(Pod(namespace: "ns-\(ns)", name: "pod-\(i)",
                            labels: ["app": "app-\(app)", "tier": ["web", "api", "db"][app % 3], "version": "v\(i % 4)"],
                            ips: ips, containerPorts: [NamedPort(name: "http", port: 8080 + app % 3, proto: .tcp),
                                                       NamedPort(name: "metrics", port: 9090, proto: .tcp)]))
        }
        var hosts: [LegacyHost] = []
        for i in 0..<self.hosts {
            let ns = i % namespaces
            let app = i % appsPerNS
            hosts.append(LegacyHost(
                name: "host-\(i)", namespace: "ns-\(ns)",
                labels: ["app": "app-\(app)", "tier": ["web", "api", "db"][app % 3], "legacy": "true"],
                addresses: [.v4(0xC612_0000 | UInt32(i + 2))],
                ports: [NamedPort(name: "http", port: 80 + app % 2, proto: .tcp), NamedPort(name: "postgres", port: 5432, proto: .tcp)],
                management: [CIDR("198.18.0.1/32")!]))
        }
        var policies: [NetworkPolicy] = []
        for i in 0..<self.policies {
            let ns = i % namespaces
            let app = Int(rng.next() % UInt64(appsPerNS))
            let peerApp = Int(rng.next() % UInt64(appsPerNS))
            let kind = i % 5
            var ingress: [NetworkPolicy.Rule] = []
            var egress: [NetworkPolicy.Rule] = []
            switch kind {
            case 0:
                ingress = [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "app-\(peerApp)"]), namespaceSelector: nil)],
                                 ports: [.init(proto: .tcp, port: .number(443))])]
            case 1:
                ingress = [.init(peers: [.workloads(podSelector: nil, namespaceSelector: LabelSelector(matchLabels: ["env": envs[i % 3]]))],
                                 ports: [.init(proto: .tcp, port: .named("http"))])]
            case 2:
                ingress = [.init(peers: [.ipBlock(.init(cidr: CIDR("172.16.0.0/12")!, except: [CIDR("172.16.5.0/24")!]))],
                                 ports: [.init(proto: .tcp, port: .number(8000), endPort: 8100)])]
            case 3:
                ingress = [.init(peers: [.workloads(podSelector: LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["web", "api"])]),
                                                    namespaceSelector: LabelSelector(matchLabels: ["team": "team-\(i % 20)"]))],
                                 ports: [.init(proto: .udp, port: nil)])]
                egress = [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "app-\(peerApp)"]), namespaceSelector: .everything)],
                                ports: [.init(proto: .tcp, port: .named("http"))])]
            default:
                egress = [.init(peers: [.ipBlock(.init(cidr: CIDR("0.0.0.0/0")!, except: [CIDR("10.0.0.0/8")!]))], ports: []),
                          .init(peers: [.workloads(podSelector: LabelSelector(matchExpressions: [.init(key: "version", op: .notIn, values: ["v0"])]), namespaceSelector: nil)],
                                ports: [.init(proto: .tcp, port: .number(5432))])]
            }
            policies.append(NetworkPolicy(namespace: "ns-\(ns)", name: "policy-\(i)",
                                          podSelector: LabelSelector(matchLabels: ["app": "app-\(app)"]),
                                          ingress: ingress, egress: egress))
        }
        let cluster = ClusterState(namespaces: nss, pods: pods, policies: policies)
        return (cluster, Inventory(namespaces: [], hosts: hosts, source: "synthetic"))
    }
}

/// A small, fast, seedable generator (Steele, Lea, Flood 2014), so runs are repeatable.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
