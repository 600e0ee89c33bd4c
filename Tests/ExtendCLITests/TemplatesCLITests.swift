import Foundation
import Testing

/// The deployment templates stay in step with the binary: the inventory in
/// the ConfigMap loads, and the Deployment's arguments are flags
/// `extend controller` accepts.
@Suite struct TemplatesCLITests {
    static let folder = CLI.packageRoot + "/templates/kubernetes"

    /// The ConfigMap's `inventory.yaml: |` block, dedented, written to a file.
    static func inventoryFromConfigMap(into dir: URL) throws -> String {
        let text = try String(contentsOfFile: folder + "/20-inventory.yaml", encoding: .utf8)
        var lines: [Substring] = []
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces) == "inventory.yaml: |" { inBlock = true; continue }
            if inBlock {
                if !line.isEmpty && !line.hasPrefix("    ") { break }
                lines.append(line.dropFirst(min(4, line.count)))
            }
        }
        #expect(!lines.isEmpty, "the ConfigMap holds inventory.yaml")
        let path = dir.appendingPathComponent("inventory.yaml").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func deploymentArguments() throws -> [String] {
        let text = try String(contentsOfFile: folder + "/40-deployment.yaml", encoding: .utf8)
        var out: [String] = []
        var inArgs = false
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t == "args:" { inArgs = true; continue }
            guard inArgs else { continue }
            if t.hasPrefix("#") { continue }
            guard t.hasPrefix("- ") else { break }
            out.append(String(t.dropFirst(2)))
        }
        return out
    }

    @Test func theConfigMapInventoryLoadsAndTheDeploymentArgumentsAreAccepted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inventory = try Self.inventoryFromConfigMap(into: dir)
        let empty = dir.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let render = try CLI.run(["render", "--inventory", inventory, "--manifests", empty.path])
        #expect(render.exited(0), "the template's inventory loads: \(render)")
        #expect(render.stdoutText.contains("== billing-db-01"))

        let args = try Self.deploymentArguments()
        #expect(args.first == "controller" && args.contains("--leader-election"), "\(args)")
        let flags = args.map { $0.hasPrefix("--inventory=") ? "--inventory=" + inventory : $0 }
        // Everything but the cluster is there: it must fail on the kubeconfig, not on a flag.
        let run = try CLI.run(flags + ["--kubeconfig", dir.appendingPathComponent("missing-kubeconfig").path], timeout: .seconds(20))
        #expect(run.exited(1), "\(run)")
        #expect(run.stderrText.contains("missing-kubeconfig"), "the error names the kubeconfig, so every flag was accepted: \(run)")
    }

    /// The Role grants the managed hosts record exactly get and update by name,
    /// and create (which resourceNames cannot restrict) on configmaps: nothing more.
    @Test func theRoleGrantsTheManagedHostsRecordGetAndUpdateByNameAndCreate() throws {
        let text = try String(contentsOfFile: Self.folder + "/10-rbac.yaml", encoding: .utf8)
        // Each rule as its lines, from one `- apiGroups:` to the next.
        let rules = text.components(separatedBy: "  - apiGroups:").dropFirst().map { rule in
            rule.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") && !$0.isEmpty }
        }
        let configMaps = rules.filter { $0.contains("resources: [configmaps]") }
        #expect(configMaps.count == 2, "\(configMaps)")
        #expect(configMaps.contains { $0.contains("resourceNames: [netpol-extend-managed-hosts]") && $0.contains("verbs: [get, update]") })
        #expect(configMaps.contains { !$0.contains { $0.hasPrefix("resourceNames") } && $0.contains("verbs: [create]") })
        #expect(!text.contains("configmaps, ") && !text.contains(", configmaps"), "configmaps share no rule with another resource")
    }
}
