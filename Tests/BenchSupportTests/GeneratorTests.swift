import BenchSupport
import ExtendCore
import ExtendInput
import Testing

/// The benchmark's generator at a small size: deterministic, and its files
/// load as `extend` loads them, with no error.
@Suite struct GeneratorTests {
    static let small = BenchScale(pods: 300, policies: 60, hosts: 40, namespaces: 6, seed: 7)

    static func files(_ scale: BenchScale) throws -> (json: [UInt8], yaml: String, cluster: SyntheticCluster) {
        let cluster = try ClusterGenerator(scale: scale).generate()
        return (cluster.clusterJSON(), cluster.inventoryYAML(), cluster)
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let first = try Self.files(Self.small)
        let second = try Self.files(Self.small)
        #expect(first.json == second.json)
        #expect(first.yaml == second.yaml)
        var reseeded = Self.small
        reseeded.seed = 8
        #expect(try Self.files(reseeded).json != first.json)
    }

    @Test func filesLoadWithoutErrors() throws {
        let (json, yaml, generated) = try Self.files(Self.small)
        let manifests = ManifestLoader.parse(String(decoding: json, as: UTF8.self), path: "cluster.json")
        #expect(manifests.diagnostics.isEmpty, "\(manifests.diagnostics.prefix(5))")
        let inventory = try InventoryLoader.parse(yaml, path: "inventory.yaml").get()
        let cluster = try manifests.get()
        #expect(cluster.pods.count == Self.small.pods)
        #expect(cluster.policies.count == Self.small.policies)
        #expect(inventory.hosts.count == Self.small.hosts)
        #expect(inventory.namespaces.count == Self.small.inventoryNamespaces)
        let (world, problems) = World.build(cluster: cluster, inventory: inventory)
        #expect(problems.isEmpty, "\(problems.prefix(5))")

        // The probes name objects that exist.
        let probe = try #require(generated.explainProbe)
        #expect(world.workload(ref: probe.from) != nil)
        #expect(world.workload(ref: probe.to) != nil)
        let busiest = try #require(generated.busiestInventoryHost)
        #expect(busiest.policies > 0)
        #expect(inventory.host(named: busiest.host.name) != nil)
    }

    /// 4x pods must change nothing but the pods, or its rules per host would
    /// not be comparable with the base's.
    @Test func morePodsSamePolicies() throws {
        var more = Self.small
        more.pods *= 4
        func policyLines(_ json: [UInt8]) -> [Substring] {
            String(decoding: json, as: UTF8.self).split(separator: "\n").filter { $0.contains("\"kind\":\"NetworkPolicy\"") }
        }
        let base = try Self.files(Self.small), grown = try Self.files(more)
        #expect(policyLines(grown.json) == policyLines(base.json))
        #expect(grown.yaml == base.yaml)
    }

    /// The audit row's inventory differs from the base's by its mode alone,
    /// so its rules per host compare with the base's.
    @Test func auditInventoryDiffersByItsModeAlone() throws {
        let cluster = try ClusterGenerator(scale: Self.small).generate()
        let base = cluster.inventoryYAML(), audit = cluster.inventoryYAML(enforcement: "audit")
        let removed = audit.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != "  enforcement: audit" }
        #expect(removed.joined(separator: "\n") == base && audit != base)
        let hosts = try InventoryLoader.parse(audit, path: "inventory-audit.yaml").get().hosts
        #expect(hosts.count == Self.small.hosts && hosts.allSatisfy { $0.enforcement == .audit })
        #expect(try InventoryLoader.parse(base, path: "inventory.yaml").get().hosts.allSatisfy { $0.enforcement == .enforce })
    }
}
