import ExtendCore
import ExtendInput
import Foundation
import Testing

/// The payloads we push are pinned byte for byte: any change to them shows up
/// as a reviewed diff of Golden/.
@Suite struct RenderGoldenTests {
    static func load(inventory: String, manifests: String) throws -> World {
        let inv = try InventoryLoader.load(path: inventory).get()
        let cluster = try ManifestLoader.load(paths: [manifests]).get()
        let (world, problems) = World.build(cluster: cluster, inventory: inv)
        #expect(problems.isEmpty, "\(problems)")
        return world
    }

    static func renderAll(_ world: World) -> String {
        let compiler = Compiler(world: world)
        return world.hosts.map { h in
            let s = compiler.compile(h)
            return RenderedHost(s).text(h, dropLogs: s.dropLogs, policyLabels: s.policyLabels)
        }.joined()
    }

    static var example: World {
        get throws {
            let root = GoldenFile.packageRoot.appendingPathComponent("inventory/example")
            return try load(inventory: root.appendingPathComponent("inventory.yaml").path,
                            manifests: root.appendingPathComponent("cluster").path)
        }
    }

    static var edgeCases: World {
        get throws {
            let dir = GoldenFile.fixtures.appendingPathComponent("edge-cases")
            return try load(inventory: dir.appendingPathComponent("inventory.yaml").path,
                            manifests: dir.appendingPathComponent("cluster.yaml").path)
        }
    }

    @Test("the bundled example renders as pinned")
    func bundledExample() throws {
        try GoldenFile.check(Self.renderAll(try Self.example), "example.txt")
    }

    /// ipBlock except (v4 and v6), /0 on both families, dual-stack, SCTP,
    /// endPort, protocol-only UDP, egress named port resolving to different
    /// numbers, hostNetwork pods left out, a host needing nothing, drop logs,
    /// audit mode, a policy that admits nothing, a policy name too long for a comment.
    @Test("edge cases render as pinned")
    func edgeCases() throws {
        try GoldenFile.check(Self.renderAll(try Self.edgeCases), "edge-cases.txt")
    }

    @Test("rendering twice gives byte-identical output")
    func deterministic() throws {
        let a = Self.renderAll(try Self.edgeCases)
        let b = Self.renderAll(try Self.edgeCases)
        #expect(a == b)
    }
}
