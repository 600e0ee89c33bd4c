import ConformanceSupport
import ExtendCore
import Testing

/// Joining the cluster and the inventory, and the problems the join reports.
@Suite("World.build")
struct WorldBuildTests {
    static let ns = Namespace(name: "x", labels: ["ns": "x"])
    static func pod(_ name: String, _ ip: String, ns: String = "x") -> Pod {
        Pod(namespace: ns, name: name, labels: ["pod": name], ips: [IPAddress(ip)!])
    }
    static func host(_ name: String, _ ip: String, ns: String = "x", origin: String? = nil) -> LegacyHost {
        LegacyHost(name: name, namespace: ns, addresses: [IPAddress(ip)!], origin: origin)
    }

    @Test("the conformance universe joins cleanly both ways", arguments: ConformanceUniverse.Variant.allCases)
    func clean(_ variant: ConformanceUniverse.Variant) {
        let (world, problems) = ConformanceUniverse.standard(ipv6: true).world(variant, policies: [])
        #expect(problems.isEmpty)
        #expect(world.allWorkloads.count == 9)
        #expect(world.namespaces.keys.sorted() == ["x", "y", "z"])
    }

    /// spec/inventory.md: "Declaring a namespace here that also exists in the cluster is an error."
    @Test("a namespace declared in the inventory and present in the cluster")
    func namespaceTwice() {
        let inv = Inventory(namespaces: [Namespace(name: "x", labels: ["env": "lab"], virtual: true)],
                            hosts: [Self.host("h1", "198.18.1.1")], source: "inventory.yaml")
        let (world, problems) = World.build(cluster: ClusterState(namespaces: [Self.ns]), inventory: inv)
        #expect(problems.count == 1)
        #expect(problems.first?.severity == .error)
        #expect(problems.first?.location == "inventory.yaml")
        #expect(problems.first?.message.contains("namespace \"x\"") == true)
        // The cluster's labels win: that is what namespaceSelectors see.
        #expect(world.namespaces["x"]?.labels["ns"] == "x")
        #expect(world.namespaces["x"]?.labels["env"] == nil)
    }

    @Test("a host in a namespace that exists nowhere")
    func unknownNamespace() {
        let inv = Inventory(hosts: [Self.host("h1", "198.18.1.1", ns: "nowhere", origin: "inventory.yaml:12")],
                            source: "inventory.yaml")
        let (_, problems) = World.build(cluster: ClusterState(), inventory: inv)
        #expect(problems.count == 1)
        #expect(problems.first?.location == "inventory.yaml:12")
        #expect(problems.first?.message.contains("\"nowhere\"") == true)
        #expect(problems.first?.message.contains("h1") == true)
    }

    /// spec/inventory.md: "A host may instead sit in a real cluster namespace:
    /// then policies of that namespace select it, and that namespace's labels
    /// (from the cluster) are the ones namespaceSelectors see."
    @Test("a host in a cluster namespace is fine")
    func hostInClusterNamespace() {
        let (world, problems) = World.build(cluster: ClusterState(namespaces: [Self.ns], pods: [Self.pod("a", "198.18.0.11")]),
                                            inventory: Inventory(hosts: [Self.host("db", "198.18.1.1")]))
        #expect(problems.isEmpty)
        #expect(world.workloads(in: "x").map(\.ref) == ["x/a", "x/db"])
        #expect(world.workload(ref: "x/db")?.kind == .host)
    }

    @Test("an address of a host that a pod holds")
    func addressOfPod() {
        let (world, problems) = World.build(
            cluster: ClusterState(namespaces: [Self.ns], pods: [Self.pod("a", "198.18.0.11")]),
            inventory: Inventory(hosts: [Self.host("db", "198.18.0.11", origin: "inventory.yaml:30")]))
        #expect(problems.count == 1)
        #expect(problems.first?.location == "inventory.yaml:30")
        #expect(problems.first?.message.contains("198.18.0.11") == true)
        #expect(problems.first?.message.contains("pod x/a") == true)
        #expect(world.owner(of: IPAddress("198.18.0.11")!) == "pod x/a")
    }

    @Test("an address two hosts share")
    func addressOfHost() {
        let (_, problems) = World.build(
            cluster: ClusterState(namespaces: [Self.ns]),
            inventory: Inventory(hosts: [Self.host("h1", "198.18.1.1"), Self.host("h2", "198.18.1.1")]))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("h2") == true)
        #expect(problems.first?.message.contains("host h1") == true)
    }

    /// spec/inventory.md: "a pod and a host may not share a namespace and name".
    @Test("a host and a pod with one namespace/name")
    func sharedName() {
        let (_, problems) = World.build(
            cluster: ClusterState(namespaces: [Self.ns], pods: [Self.pod("a", "198.18.0.11")]),
            inventory: Inventory(hosts: [Self.host("a", "198.18.1.1")]))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("x/a") == true)
    }

    @Test("every problem is reported at once")
    func allAtOnce() {
        let inv = Inventory(namespaces: [Namespace(name: "x", virtual: true)],
                            hosts: [Self.host("a", "198.18.0.11"), Self.host("h2", "198.18.1.2", ns: "nowhere")])
        let (_, problems) = World.build(
            cluster: ClusterState(namespaces: [Self.ns], pods: [Self.pod("a", "198.18.0.11")]), inventory: inv)
        // namespace twice, shared name, shared address, unknown namespace.
        #expect(problems.count == 4)
        #expect(problems.allSatisfy { $0.severity == .error })
    }

    /// "The Kubernetes control plane sets an immutable label kubernetes.io/metadata.name on all namespaces."
    @Test("every namespace carries kubernetes.io/metadata.name", arguments: [true, false])
    func metadataName(_ virtual: Bool) {
        #expect(Namespace(name: "legacy", labels: ["env": "live"], virtual: virtual).labels
                == ["env": "live", "kubernetes.io/metadata.name": "legacy"])
        #expect(Namespace(name: "legacy", labels: ["kubernetes.io/metadata.name": "other"], virtual: virtual)
                .labels["kubernetes.io/metadata.name"] == "legacy")
    }
}
