import Foundation
import Testing

/// `extend diff --connections` on the bundled example and edits of it, through the built binary.
@Suite struct ConnectionsDiffCLITests {
    /// A copy of the example's cluster folder with `edit` applied to one file.
    static func proposal(_ file: String, _ edit: (String) -> String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-proposal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: CLI.exampleCluster) {
            var text = try String(contentsOfFile: CLI.exampleCluster + "/" + name, encoding: .utf8)
            if name == file { text = edit(text) }
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func billingEgressToReporting(_ text: String) -> String {
        text.replacingOccurrences(of: "    ports:\n    - port: rsync", with: """
                ports:
                - port: rsync
              - to:
                - podSelector:
                    matchLabels: {app: reporting}
                ports:
                - port: 8443
            """)
    }

    @Test("a new egress rule opens exactly that connection, names the policy responsible, and --detailed-exitcode exits 2")
    func policyEditOpens() throws {
        let proposed = try Self.proposal("policies-billing.yaml", Self.billingEgressToReporting)
        defer { try? FileManager.default.removeItem(atPath: proposed) }
        let r = try CLI.run(["diff", "--connections", "--proposed", proposed, "--detailed-exitcode"] + CLI.example)
        #expect(r.status == 2, "\(r)")
        #expect(r.stdoutText == "opened  live/billing-db-01 -> live/reporting-01  TCP 8443  (policy live/billing-db changed)\n", "\(r)")
        let json = try CLI.run(["diff", "--connections", "--proposed", proposed, "--output", "json"] + CLI.example)
        let doc = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        let opened = doc?["opened"] as? [[String: Any]]
        #expect(opened?.count == 1 && (doc?["closed"] as? [Any])?.isEmpty == true, "\(json)")
        #expect(opened?.first?["from"] as? [String] == ["live/billing-db-01"] && opened?.first?["to"] as? [String] == ["live/reporting-01"])
        #expect((opened?.first?["ports"] as? [[String: Any]])?.first?["port"] as? Int == 8443)
    }

    @Test("a host removed from the proposed inventory closes every connection to and from it, each saying the host is gone")
    func hostRemovedCloses() throws {
        let inventory = try String(contentsOfFile: CLI.exampleInventory, encoding: .utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-inv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The example's backup host, dropped: its entry is the hosts list item naming it.
        var lines = inventory.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.contains("name: backup-01") }) else {
            Issue.record("the example inventory has no backup-01")
            return
        }
        var end = start + 1
        while end < lines.count, !lines[end].trimmingCharacters(in: .whitespaces).hasPrefix("- "), lines[end].hasPrefix("  ") { end += 1 }
        lines.removeSubrange(start..<end)
        try lines.joined(separator: "\n").write(toFile: dir + "/inventory.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["diff", "--connections", "--proposed", CLI.exampleCluster, "--proposed-inventory", dir + "/inventory.yaml"] + CLI.example)
        #expect(r.status == 0, "\(r)")
        let out = r.stdoutText.split(separator: "\n")
        #expect(!out.isEmpty && out.allSatisfy { $0.hasPrefix("closed") && $0.contains("legacy/backup-01") && $0.contains("(host legacy/backup-01 gone)") }, "\(r)")
        #expect(out.contains { $0.hasPrefix("closed  live/billing-db-01 -> legacy/backup-01  TCP 873") }, "\(r)")
    }

    @Test("the same files on both sides: nothing opened or closed, exit 0 with --detailed-exitcode")
    func unchanged() throws {
        let r = try CLI.run(["diff", "--connections", "--proposed", CLI.exampleCluster, "--detailed-exitcode"] + CLI.example)
        #expect(r.status == 0 && r.stdoutText == "no connection opened or closed\n", "\(r)")
    }

    @Test("--connections without --proposed, or --proposed without --connections, is a usage error naming the flag")
    func usage() throws {
        let a = try CLI.run(["diff", "--connections"] + CLI.example)
        #expect(a.status != 0 && a.stderrText.contains("--connections needs --proposed"), "\(a)")
        let b = try CLI.run(["diff", "--proposed", CLI.exampleCluster] + CLI.example)
        #expect(b.status != 0 && b.stderrText.contains("--proposed and --proposed-inventory go with --connections"), "\(b)")
    }
}
