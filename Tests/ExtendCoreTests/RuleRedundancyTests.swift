import ExtendCore
import Testing

/// `extend lint`'s "rule adds nothing": a rule whose connections the
/// policy's other rules already admit, for every target, peer and port.
@Suite("Rule redundancy")
struct RuleRedundancyTests {
    static func world(_ ingress: [NetworkPolicy.Rule]) -> World {
        let ns = [Namespace(name: "a", labels: ["env": "live"]), Namespace(name: "b", labels: ["env": "dev"])]
        let pods = [Pod(namespace: "a", name: "web", labels: ["app": "web"], ips: [IPAddress("10.0.0.1")!]),
                    Pod(namespace: "a", name: "db", labels: ["app": "db"], ips: [IPAddress("10.0.0.2")!],
                        containerPorts: [NamedPort(name: "pg", port: 5432, proto: .tcp)]),
                    Pod(namespace: "b", name: "api", labels: ["app": "api"], ips: [IPAddress("10.0.1.1")!])]
        let p = NetworkPolicy(namespace: "a", name: "db", podSelector: LabelSelector(matchLabels: ["app": "db"]), ingress: ingress)
        return World.build(cluster: ClusterState(namespaces: ns, pods: pods, policies: [p]), inventory: Inventory()).0
    }

    static func flagged(_ ingress: [NetworkPolicy.Rule]) -> [String] {
        AnalysisLint(world: world(ingress)).findings().filter { $0.code == "rule-adds-nothing" }.map(\.message)
    }

    static let web = NetworkPolicy.Peer.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]), namespaceSelector: nil)
    static let anyPod = NetworkPolicy.Peer.workloads(podSelector: nil, namespaceSelector: .everything)

    @Test("a narrower peer on a port inside a wider rule's range adds nothing, and is named; a port outside it does")
    func covered() {
        let wide = NetworkPolicy.Rule(peers: [Self.anyPod], ports: [.init(proto: .tcp, port: .number(5000), endPort: 6000)])
        #expect(Self.flagged([.init(peers: [Self.web], ports: [.init(proto: .tcp, port: .named("pg"))]), wide])
            == ["policy a/db: ingress rule #1 admits nothing that the policy's other ingress rules do not admit already"])
        #expect(Self.flagged([.init(peers: [Self.web], ports: [.init(proto: .tcp, port: .number(443))]), wide]).isEmpty)
    }

    @Test("of two identical rules only the second is named: deleting it keeps what both allowed")
    func duplicates() {
        let r = NetworkPolicy.Rule(peers: [Self.web], ports: [.init(proto: .tcp, port: .number(5432))])
        #expect(Self.flagged([r, r]) == ["policy a/db: ingress rule #2 admits nothing that the policy's other ingress rules do not admit already"])
    }

    @Test("removing any rule lint names changes no connection (randomized worlds)", arguments: 0..<30)
    func removalChangesNothing(seed: UInt64) {
        let world = ConnectivityMatrixTests.world(seed: seed)
        for finding in AnalysisLint(world: world).findings() where finding.code == "rule-adds-nothing" {
            // "policy NS/NAME: ingress rule #N admits …"
            let words = finding.message.split(separator: " ")
            let id = String(words[1].dropLast()), egress = words[2] == "egress"
            let index = Int(words[4].dropFirst())! - 1
            let without = ConnectivityMatrixTests.rebuilt(world) { cluster, _ in
                let at = cluster.policies.firstIndex { $0.id == id }!
                if egress { cluster.policies[at].egress.remove(at: index) } else { cluster.policies[at].ingress.remove(at: index) }
            }
            #expect(ConnectionDiff(current: world, proposed: without).isEmpty, "seed \(seed): \(finding.message)")
        }
    }
}
