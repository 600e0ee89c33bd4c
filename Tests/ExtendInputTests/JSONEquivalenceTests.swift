import ExtendCore
import ExtendInput
import Foundation
import Testing

/// The same manifests and inventories, given as YAML and as JSON (made from
/// the YAML with every node on its YAML line), decode to equal values: the
/// same objects with the same `FILE:LINE` origins, the same notes, the same
/// warnings on the same lines. Yams reads the one, the JSON reader the other.
@Suite struct JSONEquivalenceTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let yaml: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func file(_ relative: String) -> Fixture {
        let path = repository.appendingPathComponent(relative).path
        return Fixture(testDescription: relative, yaml: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    static let manifests: [Fixture] = [
        file("inventory/example/cluster/cluster.yaml"),
        file("inventory/example/cluster/policies-billing.yaml"),
        file("inventory/example/cluster/policies-wealth-wizards.yaml"),
        file("Tests/ExtendRenderTests/Fixtures/edge-cases/cluster.yaml"),
        Fixture(testDescription: "kubectl -o yaml list", yaml: ManifestLoaderTests.kubectlList),
        Fixture(testDescription: "generated cluster", yaml: ManifestScaleTests.cluster(pods: 300, policies: 60, namespaces: 12)),
    ] + NetworkPolicyDecodingTests.defaulting.map { c in
        Fixture(testDescription: "policy: \(c.name)", yaml: """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: ns}
            spec:
            \(c.spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            """)
    }

    static let inventories: [Fixture] = [
        file("inventory/example/inventory.yaml"),
        Fixture(testDescription: "every inventory field", yaml: InventoryLoaderTests.full),
    ]

    /// Columns differ (JSON quotes every key), lines do not.
    static func withoutColumn(_ location: String?) -> String? {
        location?.replacing(/:(\d+):\d+$/) { ":\($0.1)" }
    }

    static func withoutColumns(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { d in
            var d = d
            d.location = withoutColumn(d.location)
            return d.description
        }
    }

    @Test(arguments: manifests)
    func manifestsReadAlikeFromJSON(_ f: Fixture) throws {
        #expect(!f.yaml.isEmpty, "fixture missing")
        let json = try JSONText.fromYAML(f.yaml)
        #expect(json.drop { $0.isWhitespace }.hasPrefix("{"))
        // Both named .json: the JSON is read as JSON, never retried as YAML;
        // the YAML does not begin as JSON can, so Yams reads it.
        let fromYAML = ManifestLoader.parse(f.yaml, path: "m.json")
        let fromJSON = ManifestLoader.parse(json, path: "m.json")
        #expect(!fromYAML.hasErrors, "\(fromYAML.diagnostics)")
        #expect(!fromYAML.cluster.namespaces.isEmpty || !fromYAML.cluster.policies.isEmpty)
        #expect(fromJSON.cluster == fromYAML.cluster)
        #expect(fromJSON.notes == fromYAML.notes)
        #expect(Self.withoutColumns(fromJSON.diagnostics) == Self.withoutColumns(fromYAML.diagnostics))
    }

    @Test(arguments: inventories)
    func inventoriesReadAlikeFromJSON(_ f: Fixture) throws {
        #expect(!f.yaml.isEmpty, "fixture missing")
        let json = try JSONText.fromYAML(f.yaml)
        let fromYAML = try InventoryLoader.parse(f.yaml, path: "i.json").get()
        let fromJSON = try InventoryLoader.parse(json, path: "i.json").get()
        #expect(!fromYAML.hosts.isEmpty)
        #expect(fromJSON.hosts == fromYAML.hosts)
        // A declared namespace's origin is FILE:LINE:COLUMN.
        func lines(_ namespaces: [Namespace]) -> [Namespace] {
            namespaces.map { ns in
                var ns = ns
                ns.origin = Self.withoutColumn(ns.origin)
                return ns
            }
        }
        #expect(lines(fromJSON.namespaces) == lines(fromYAML.namespaces))
        #expect(fromJSON.source == fromYAML.source)
    }
}
