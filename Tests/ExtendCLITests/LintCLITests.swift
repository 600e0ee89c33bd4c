import Foundation
import Testing

/// `extend lint` through the built binary: findings grouped with counts, --strict for CI gates.
@Suite struct LintCLITests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: live, labels: {env: live}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: live, labels: {app: web}}
        spec: {containers: [{name: web, image: web}]}
        status: {phase: Running, podIP: 10.0.0.5}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: live}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from:
            - ipBlock: {cidr: 10.0.0.0/24}
          - from:
            - namespaceSelector: {matchLabels: {env: prod}}
        """

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("extend-lint-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("an ipBlock that covers a pod and a namespace selector no namespace matches are each named, with the label missing; --strict exits 1, without it 0")
    func findings() throws {
        let path = try Self.write(Self.manifests)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = ["--inventory", CLI.exampleInventory, "--manifests", path]
        let r = try CLI.run(["lint"] + input)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutText.contains("policy live/web: ingress rule #1 ipBlock 10.0.0.0/24 covers 1 pod and 0 host address(es)"), "\(r)")
        #expect(r.stdoutText.contains("policy live/web: ingress rule #2 namespaceSelector env=prod needs env=prod, which no namespace carries"), "\(r)")
        #expect(r.stdoutText.contains("ipblock-covers-workloads 1") && r.stdoutText.contains("namespace-label-missing 1"), "\(r)")
        let strict = try CLI.run(["lint", "--strict", "--output", "json"] + input)
        #expect(strict.status == 1, "\(strict)")
        let doc = try JSONSerialization.jsonObject(with: strict.stdout) as? [String: Any]
        let counts = doc?["counts"] as? [String: Int]
        #expect(counts?["ipblock-covers-workloads"] == 1 && counts?["namespace-label-missing"] == 1 && counts?["peer-selects-nothing"] == 1, "\(strict)")
    }

    @Test("a clean input: no findings, and --strict exits 0")
    func clean() throws {
        let path = try Self.write(Self.manifests.components(separatedBy: "  ingress:")[0] + "  ingress:\n  - from:\n    - podSelector: {}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["lint", "--strict", "--inventory", CLI.exampleInventory, "--manifests", path])
        #expect(r.status == 0 && r.stdoutText == "no findings\n", "\(r)")
    }
}
