import Foundation
import Testing

/// The RBAC for the companions: exactly create, update, patch and delete on
/// networkpolicies, cluster-wide, in a ClusterRole of its own that the
/// Deployment's `--companions` needs; nothing else may write policies.
extension TemplatesCLITests {
    /// Each `---` document of 10-rbac.yaml as its lines, trimmed, without comments.
    static func rbacDocuments() throws -> [[String]] {
        let text = try String(contentsOfFile: folder + "/10-rbac.yaml", encoding: .utf8)
        return text.components(separatedBy: "\n---").map { doc in
            doc.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
    }

    @Test func theCompanionsClusterRoleGrantsExactlyTheWritesOnNetworkPolicies() throws {
        let docs = try Self.rbacDocuments()
        let rules = docs.flatMap { doc in
            doc.joined(separator: "\n").components(separatedBy: "- apiGroups:").dropFirst().map { $0.split(separator: "\n").map(String.init) }
        }
        let policyRules = rules.filter { $0.contains("resources: [networkpolicies]") }
        #expect(policyRules.count == 2, "one rule reads, one writes: \(policyRules)")
        #expect(policyRules.contains { $0.contains("verbs: [get, list, watch]") })
        #expect(policyRules.contains { $0.contains("verbs: [create, update, patch, delete]") })
        #expect(!rules.contains { $0.contains { $0.hasPrefix("resources:") && $0.contains("networkpolicies") && $0 != "resources: [networkpolicies]" } },
                "networkpolicies share no rule with another resource")
        #expect(!rules.joined().joined().contains("*"), "no wildcards")

        func object(_ kind: String) -> [String]? {
            docs.first { $0.first { $0.hasPrefix("kind:") } == "kind: \(kind)" && $0.contains("name: netpol-extend-companions") }
        }
        let role = try #require(object("ClusterRole"))
        #expect(role.contains("verbs: [create, update, patch, delete]") && role.filter { $0.hasPrefix("verbs:") }.count == 1,
                "the companions' role holds only the write rule: \(role)")
        let binding = try #require(object("ClusterRoleBinding"))
        #expect(binding.contains("- kind: ServiceAccount") && binding.contains("namespace: netpol-extend"), "\(binding)")
        #expect(try Self.deploymentArguments().contains("--companions"), "the Deployment uses what the role grants")
    }
}
