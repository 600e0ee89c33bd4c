import Foundation
import Testing

/// `extend changes`: a change to the cluster or the inventory, planned the
/// way the controller plans each event, on the bundled example.
@Suite struct ChangesCLITests {
    static let readdressedAPI = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api-6d4f9, namespace: live, labels: {app: api}}
        spec:
          containers:
          - name: api
            ports: [{name: http, containerPort: 8080, protocol: TCP}]
        status: {phase: Running, podIP: 10.244.1.12, podIPs: [{ip: 10.244.1.12}, {ip: "2001:db8:244:1::11"}]}

        """

    static func file(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-changes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Per host, the digest `render` gives with these manifests.
    static func digests(_ manifests: [String]) throws -> [String: String] {
        let r = try CLI.run(["render", "--output", "json", "--inventory", CLI.exampleInventory] + manifests.flatMap { ["--manifests", $0] })
        #expect(r.exited(0), "\(r)")
        let doc = try r.json()
        let hosts = try #require(doc["hosts"] as? [[String: Any]])
        var digest: [Int: String] = [:]
        for rs in doc["ruleSets"] as? [[String: Any]] ?? [] {
            if let id = rs["id"] as? Int { digest[id] = rs["digest"] as? String }
        }
        return Dictionary(uniqueKeysWithValues: hosts.compactMap { h in
            (h["name"] as? String).map { ($0, (h["ruleSet"] as? Int).flatMap { digest[$0] } ?? "needs nothing") }
        })
    }

    @Test("a readdressed pod: entry changes on exactly the hosts whose rendered rules change")
    func readdressedPod() throws {
        let changed = try Self.file(Self.readdressedAPI, "api.yaml")
        let r = try CLI.run(["changes", "--output", "json"] + CLI.example + ["--changed", changed])
        #expect(r.exited(0), "\(r)")
        let doc = try r.json()
        let hosts = try #require(doc["hosts"] as? [[String: Any]])
        // Independently: which hosts render differently once the pod moved.
        let before = try Self.digests([CLI.exampleCluster])
        let after = try Self.digests([CLI.exampleCluster, changed])
        let differ = before.keys.filter { before[$0] != after[$0] }.sorted()
        #expect(hosts.compactMap { $0["name"] as? String } == differ)
        #expect(differ.contains("billing-db-01") && !differ.contains("backup-01"))
        #expect(hosts.allSatisfy { $0["change"] as? String == "entries" }, "only members move")
        let sets = try #require(doc["sets"] as? [String: [String: [String]]])
        #expect(sets.values.contains { $0["delete"] == ["10.244.1.11"] && $0["add"] == ["10.244.1.12"] }, "\(sets)")

        let text = try CLI.run(["changes"] + CLI.example + ["--changed", changed])
        #expect(text.stdoutText.contains("== billing-db-01: entries of its sets change\n"), "\(text)")
        #expect(text.stdoutText.contains(" -10.244.1.11 +10.244.1.12\n"), "\(text)")
    }

    @Test("a deleted policy rebuilds the hosts it isolated; a host removed from the inventory is reported, and those whose peers held it")
    func deletionsAndInventory() throws {
        let r = try CLI.run(["changes", "--output", "json"] + CLI.example + ["--deleted", "networkpolicy/live/billing-db"])
        #expect(r.exited(0), "\(r)")
        let hosts = try #require(try r.json()["hosts"] as? [[String: Any]])
        #expect(hosts.contains { $0["name"] as? String == "billing-db-01" && $0["change"] as? String == "rebuild" }, "\(hosts)")

        let inventory = try String(contentsOfFile: CLI.exampleInventory, encoding: .utf8)
        let cut = try #require(inventory.range(of: "  # A host in the inventory-only namespace"))
        let smaller = try Self.file(String(inventory[..<cut.lowerBound]), "inventory.yaml")
        let i = try CLI.run(["changes"] + CLI.example + ["--changed-inventory", smaller])
        #expect(i.exited(0), "\(i)")
        #expect(i.stdoutText.contains("== backup-01: left the inventory"), "\(i)")
        #expect(i.stdoutText.contains("== billing-db-01: rebuilt"), "its egress peer, backup-01, is gone: \(i)")
    }

    @Test("a bad --deleted is refused before anything is read")
    func badDeletion() throws {
        let r = try CLI.run(["changes"] + CLI.example + ["--deleted", "service/live/x"])
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("--deleted service/live/x: expected pod/NAMESPACE/NAME"), "\(r)")
    }
}
