import Foundation
import Testing

/// Broken inventories and manifests: every command ends with exit code 1
/// (never a crash), names the problem as FILE:LINE:COLUMN on stderr, and
/// prints nothing on stdout, before any host is touched.
@Suite struct BrokenInputCLITests {
    enum Input: Sendable {
        /// The bundled example's file (or, for manifests, no extra file).
        case example
        case text(String)
        case bytes([UInt8])
        /// A path where there is no file.
        case missing
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let inventory: Input
        /// Extra manifests, given after the example's cluster.
        let manifests: Input
        /// Fragments stderr must hold; `{inv}` and `{man}` stand for the files' paths.
        let expected: [String]
        var testDescription: String { name }

        static func inventory(_ name: String, _ text: String, _ expected: String...) -> Case {
            Case(name: name, inventory: .text(header + text), manifests: .example, expected: expected)
        }

        static func manifest(_ name: String, _ input: Input, _ expected: String...) -> Case {
            Case(name: name, inventory: .example, manifests: input, expected: expected)
        }
    }

    static let header = "apiVersion: netpol-extend/v1\nkind: Inventory\n"

    static let cases: [Case] = [
        .inventory("inventory: unknown key", """
            hosts:
              - name: h1
                namespace: live
                adress: 198.18.1.1
                addresses: [198.18.1.1]
            """,
            #"{inv}:6:5: error: unknown key "adress" in hosts[0] (allowed: name, namespace, labels, addresses, ports, logDrops, persist, enforcement, management, ssh); did you mean "addresses"?"#),
        .inventory("inventory: duplicate address", """
            hosts:
              - name: h1
                namespace: live
                addresses: [198.18.1.1]
              - name: h2
                namespace: live
                addresses: [198.18.1.1]
            """,
            #"{inv}:9:17: error: hosts[1].addresses[0]: address 198.18.1.1 is already used by host "h1" ({inv}:4)"#),
        .inventory("inventory: bad management CIDR", """
            defaults:
              management: [198.18.0.1/33]
            hosts:
              - name: h1
                namespace: live
                addresses: [198.18.1.1]
            """,
            #"{inv}:4:16: error: defaults.management[0]: "198.18.0.1/33" must be a valid CIDR"#),
        .inventory("inventory: bad host management CIDR", """
            hosts:
              - name: h1
                namespace: live
                addresses: [198.18.1.1]
                management: [10.0.0.0/8, 300.1.1.1]
            """,
            #"{inv}:7:30: error: hosts[0].management[1]: "300.1.1.1" must be a valid CIDR"#),
        // Checked against the cluster, after loading: reported at the host's line.
        .inventory("inventory: namespace that exists nowhere", """
            hosts:
              - name: h1
                namespace: nowhere
                addresses: [198.18.1.1]
            """,
            "{inv}:4", #"error: host "h1" is in namespace "nowhere", which exists neither in the cluster nor in the inventory's namespaces"#),
        .inventory("inventory: namespace declared and in the cluster", """
            namespaces:
              - name: live
            hosts:
              - name: h1
                namespace: live
                addresses: [198.18.1.1]
            """,
            "{inv}", #"error: namespace "live" is declared in the inventory but also exists in the cluster"#),
        .inventory("inventory: host named like a pod", """
            hosts:
              - name: api-6d4f9
                namespace: live
                addresses: [198.18.1.1]
            """,
            "{inv}:4", #"error: host "api-6d4f9" has the same namespace/name as pod live/api-6d4f9"#),
        .inventory("inventory: invalid label key", """
            hosts:
              - name: h1
                namespace: live
                labels: {"tier!": data}
                addresses: [198.18.1.1]
            """,
            #"{inv}:6:13: error: hosts[0].labels: label key "tier!" must consist of alphanumerics"#),
        .inventory("inventory: invalid label value", """
            hosts:
              - name: h1
                namespace: live
                labels: {tier: -data}
                addresses: [198.18.1.1]
            """,
            #"{inv}:6:13: error: hosts[0].labels: label value "-data" must consist of alphanumerics"#),
        .inventory("inventory: host name not a DNS label", """
            hosts:
              - name: Billing_DB
                namespace: live
                addresses: [198.18.1.1]
            """,
            #"{inv}:4:11: error: hosts[0].name: host name "Billing_DB" must be a DNS-1123 label"#),
        .inventory("inventory: truncated", "hosts: [{name: h1, namespace: live",
            "{inv}:4:1: error: invalid YAML"),
        Case(name: "inventory: not UTF-8", inventory: .bytes([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0xFF, 0xFE, 0x00]),
             manifests: .example, expected: ["{inv}:1:7: error: not UTF-8 text"]),
        Case(name: "inventory: empty", inventory: .text(""), manifests: .example,
             expected: ["{inv}:1:1: error: the file is empty"]),
        Case(name: "inventory: missing", inventory: .missing, manifests: .example,
             expected: ["{inv}: error: no such file or directory"]),

        .manifest("manifest: bad selector operator", .text("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: live}
            spec:
              podSelector:
                matchExpressions:
                - {key: app, operator: Within, values: [api]}
            """),
            #"{man}:7:28: error: spec.podSelector.matchExpressions[0].operator: operator "Within" is not valid; must be one of In, NotIn, Exists, DoesNotExist"#),
        .manifest("manifest: bad ipBlock CIDR", .text("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: live}
            spec:
              podSelector: {}
              ingress:
              - from:
                - ipBlock: {cidr: 10.0.0.0/40}
            """),
            #"{man}:8:23: error: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/40" must be a valid CIDR"#),
        .manifest("manifest: truncated YAML", .text("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: \"prod"),
            "{man}:6:25: error: invalid YAML"),
        .manifest("manifest: truncated JSON", .text(#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x""#),
            "{man}:2:1: error: invalid YAML"),
        .manifest("manifest: binary garbage", .bytes([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0xFF, 0xFE, 0x20, 0x7B, 0x7B]),
            "{man}:1:9: error: not UTF-8 text"),
        .manifest("manifest: bracket soup", .text("apiVersion: v1\nkind: List\nitems:\n- {{{\n  ::: [\n"),
            "{man}:5:3: error: invalid YAML"),
        .manifest("manifest: nested 20000 deep", .text("a: " + String(repeating: "[", count: 20_000)),
            "{man}:1:5: error: invalid YAML"),
        .manifest("manifest: missing", .missing, "{man}: error: no such file or directory"),
    ]

    /// The command run against each case: all of them load the same input first.
    static let commands: [[String]] = [
        ["render"],
        ["explain", "--from", "live/api-6d4f9", "--to", "live/billing-db-01", "--port", "5432"],
        ["diff"],
        ["apply", "--output", "json"],
    ]

    @Test(arguments: cases, commands)
    func failsWithFileLineColumn(_ c: Case, _ command: [String]) throws {
        let files = try TempFiles()
        func path(_ input: Input, _ name: String, example: String?) throws -> String? {
            switch input {
            case .example: return example
            case .text(let text): return try files.write(name, Array(text.utf8))
            case .bytes(let bytes): return try files.write(name, bytes)
            case .missing: return files.missing(name)
            }
        }
        let inventory = try #require(try path(c.inventory, "inventory.yaml", example: CLI.exampleInventory))
        let manifest = try path(c.manifests, "broken.yaml", example: nil)
        var arguments = command + ["--inventory", inventory, "--manifests", CLI.exampleCluster]
        if let manifest { arguments += ["--manifests", manifest] }

        let r = try CLI.run(arguments)
        #expect(!r.crashed, "\(r)")
        #expect(r.exited(1), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        for fragment in c.expected {
            let wanted = fragment.replacingOccurrences(of: "{inv}", with: inventory)
                .replacingOccurrences(of: "{man}", with: manifest ?? "")
            #expect(r.stderrText.contains(wanted), "wanted \(wanted)\n\(r)")
        }
    }
}
