import Foundation
import Testing

/// The managed hosts record through the built binary: only `apply` writes it;
/// `diff` shows the hosts that have left the inventory; a record that cannot be
/// used stops every command before any host is touched. The hosts here cannot
/// be reached (their known_hosts file does not exist), so no SSH happens.
@Suite struct ManagedHostsRecordCLITests {
    /// An inventory of hosts named `names`, at 127.0.0.(11+i), port 1.
    static func inventory(_ names: [String], in files: TempFiles, address: (Int) -> String = { "127.0.0.\(11 + $0)" }) throws -> String {
        var text = """
            apiVersion: netpol-extend/v1
            kind: Inventory
            namespaces:
              - name: legacy
            defaults:
              ssh: {port: 1, connectTimeoutSeconds: 2, knownHostsFile: \(files.missing("known_hosts"))}
            hosts:

            """
        for (i, n) in names.enumerated() {
            text += "  - {name: \(n), namespace: legacy, addresses: [\(address(i))]}\n"
        }
        return try files.write("inventory.yaml", Array(text.utf8))
    }

    /// A record of `hosts` (name, address), as apply writes it; by default on
    /// port 1 with no known_hosts file, so that no SSH happens.
    static func record(_ hosts: [(String, String)], port: Int = 1, knownHostsFile: String = "/nonexistent/known_hosts",
                       connectTimeoutSeconds: Int = 2) -> String {
        let entries = hosts.map { name, address in
            #"{"name": "\#(name)", "addresses": ["\#(address)"], "ssh": {"address": "\#(address)", "port": \#(port), "user": "root", "identityFile": "/nonexistent/key", "knownHostsFile": "\#(knownHostsFile)", "sudo": false, "connectTimeoutSeconds": \#(connectTimeoutSeconds)}}"#
        }
        return "{\"apiVersion\": \"netpol-extend/v1\", \"kind\": \"ManagedHosts\", \"hosts\": [\n" + entries.joined(separator: ",\n") + "\n]}\n"
    }

    static func recordedNames(_ path: String) throws -> [String] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return (json["hosts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    static func modification(_ path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    }

    @Test("render, explain, diff and apply --dry-run never write the record; apply does")
    func onlyApplyWrites() throws {
        let files = try TempFiles()
        let inventory = try Self.inventory(["db-01", "web-01"], in: files)
        let input = ["--inventory", inventory, "--manifests", CLI.exampleCluster]
        let state = inventory + ".state.json"
        let readers: [[String]] = [
            ["render"], ["explain", "--from", "legacy/db-01", "--to", "legacy/web-01", "--port", "22"],
            ["diff"], ["diff", "--output", "json"], ["apply", "--dry-run"],
        ]
        for command in readers {
            let r = try CLI.run(command + input)
            #expect(!r.crashed, "\(r)")
            #expect(!FileManager.default.fileExists(atPath: state), "\(command) wrote the record\n\(r)")
        }

        // apply: every host it worked on is recorded, reached or not, for the owner only.
        let applied = try CLI.run(["apply"] + input)
        #expect(applied.exited(1), "the hosts are unreachable\n\(applied)")
        #expect(try Self.recordedNames(state) == ["db-01", "web-01"])
        let mode = try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // With a record in place, the readers leave it byte for byte and untouched.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: state))
        let mtime = try Self.modification(state)
        Thread.sleep(forTimeInterval: 0.02)
        for command in readers {
            _ = try CLI.run(command + input)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == bytes)
        #expect(try Self.modification(state) == mtime)
    }

    @Test("--state puts the record where it says, and nothing at the default")
    func statePath() throws {
        let files = try TempFiles()
        let inventory = try Self.inventory(["db-01"], in: files)
        let state = files.missing("elsewhere.json")
        let r = try CLI.run(["apply", "--state", state, "--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(1), "\(r)")
        #expect(try Self.recordedNames(state) == ["db-01"])
        #expect(!FileManager.default.fileExists(atPath: inventory + ".state.json"))
    }

    @Test("diff lists a host that left the inventory as retired; apply keeps it recorded while it cannot be cleaned")
    func retiredHostShownAndKept() throws {
        let files = try TempFiles()
        let inventory = try Self.inventory(["db-01"], in: files)
        let state = try files.write("inventory.yaml.state.json",
                                    Array(Self.record([("db-01", "127.0.0.11"), ("gone-01", "127.0.0.20")]).utf8))
        let input = ["--inventory", inventory, "--manifests", CLI.exampleCluster]

        let diff = try CLI.run(["diff", "--output", "json"] + input)
        #expect(diff.exited(1), "\(diff)")
        let hosts = try #require(try diff.json()["hosts"] as? [[String: Any]])
        #expect(hosts.compactMap { $0["host"] as? String } == ["db-01", "gone-01"])
        #expect(hosts.compactMap { $0["retired"] as? Bool } == [false, true])
        let gone = hosts[1]
        #expect(gone["status"] as? String == "unreachable")
        #expect((gone["message"] as? String)?.hasPrefix("left the inventory: ") == true, "\(gone)")
        #expect((gone["message"] as? String)?.contains("gone-01 (127.0.0.20:1)") == true, "\(gone)")

        let text = try CLI.run(["apply"] + input)
        #expect(text.exited(1), "\(text)")
        #expect(text.stdoutText.contains("gone-01  unreachable  left the inventory: "), "\(text)")
        #expect(text.stdoutText.contains("kept in the record, retried on the next apply"), "\(text)")
        #expect(try Self.recordedNames(state) == ["db-01", "gone-01"])

        // --host may name a host only the record knows; it alone is worked on.
        let one = try CLI.run(["diff", "--host", "gone-01", "--output", "json"] + input)
        #expect(try (one.json()["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String } == ["gone-01"], "\(one)")
        let unknown = try CLI.run(["diff", "--host", "never-01"] + input)
        #expect(unknown.exited(1))
        #expect(unknown.stderrText.contains("extend: --host never-01: no such host in \(inventory), nor in its managed hosts record \(state)"), "\(unknown)")
    }

    @Test("a recorded host that shares an address with a listed one is never worked on, is named in a warning, and is dropped by apply")
    func renamedHostLeftAlone() throws {
        let files = try TempFiles()
        // db-new is db-old renamed: same address.
        let inventory = try Self.inventory(["db-new"], in: files)
        let state = try files.write("inventory.yaml.state.json", Array(Self.record([("db-old", "127.0.0.11")]).utf8))
        let input = ["--inventory", inventory, "--manifests", CLI.exampleCluster]

        let diff = try CLI.run(["diff", "--output", "json"] + input)
        let json = try diff.json()
        #expect((json["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String } == ["db-new"], "\(diff)")
        let warning = try #require((json["warnings"] as? [String])?.first, "\(diff)")
        #expect(warning.hasPrefix("\(state): warning: host \"db-old\" (127.0.0.11:1) has left the inventory, but shares SSH endpoint 127.0.0.11:1 with host \"db-new\""), "\(warning)")
        #expect(warning.contains("it is not cleaned, which would remove db-new's rules; apply drops it from the record"), "\(warning)")
        #expect(try Self.recordedNames(state) == ["db-old"])

        let apply = try CLI.run(["apply"] + input)
        #expect(apply.stderrText.contains("host \"db-old\""), "\(apply)")
        #expect(apply.stderrText.contains("; dropped from the record"), "\(apply)")
        #expect(!apply.stdoutText.contains("db-old"), "\(apply)")
        #expect(try Self.recordedNames(state) == ["db-new"])
    }

    @Test("a record that is not one apply wrote stops diff and apply at FILE:LINE:COLUMN, before any host", arguments: [["diff"], ["apply"], ["apply", "--output", "json"]])
    func corruptRecord(_ command: [String]) throws {
        let files = try TempFiles()
        let inventory = try Self.inventory(["db-01"], in: files)
        let broken = String(Self.record([("db-01", "127.0.0.11")]).dropLast(40))
        let state = try files.write("inventory.yaml.state.json", Array(broken.utf8))
        let r = try CLI.run(command + ["--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(1), "\(r)")
        #expect(r.stdout.isEmpty, "no host table: no host was worked on\n\(r)")
        // The record is JSON, read as JSON: the file ends on line 2, mid-value.
        #expect(r.stderrText.contains("\(state):2:197: error: invalid JSON: the file ends where a value should follow"), "\(r)")
        #expect(r.stderrText.contains("extend: the managed hosts record \(state) cannot be used; nothing was done to any host"), "\(r)")
        #expect(try String(contentsOfFile: state, encoding: .utf8) == broken)
    }

    @Test("a record apply cannot write fails the run, naming the file, after the hosts' report")
    func unwritableRecord() throws {
        let files = try TempFiles()
        let inventory = try Self.inventory(["db-01"], in: files)
        let state = files.missing("no-such-folder/record.json")
        let r = try CLI.run(["apply", "--state", state, "--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(1), "\(r)")
        #expect(r.stdoutText.contains("db-01  unreachable"), "\(r)")
        #expect(r.stderrText.contains("extend: \(state): error: cannot write the managed hosts record: "), "\(r)")
        #expect(r.stderrText.contains("every host above was worked on as reported, but the managed hosts record was not updated"), "\(r)")
    }
}
