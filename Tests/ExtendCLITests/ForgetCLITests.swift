import Foundation
import Testing

/// `--forget NAME`: the way out for a host that has left the inventory and
/// can never be cleaned (the machine is gone), which otherwise stays recorded
/// and fails every apply. It is dropped from the record without being
/// contacted; any other name stops the run before any host is touched.
@Suite struct ForgetCLITests {
    typealias Record = ManagedHostsRecordCLITests

    /// The recorded host's connect timeout: what a run that contacts it takes at least.
    static let connectTimeout = 3

    @Test("a retired host that cannot be reached fails apply and stays recorded; apply --forget drops it without contacting it")
    func forgetUnreachableHost() throws {
        let files = try TempFiles()
        // gone-01 listens and never answers: contacting it is seen here, and times out.
        let silent = try SilentListener()
        let knownHosts = try files.write("known_hosts", [])
        let inventory = try Record.inventory([], in: files)
        let state = try files.write("inventory.yaml.state.json", Array(Record.record(
            [("gone-01", "127.0.0.1")], port: silent.port, knownHostsFile: knownHosts,
            connectTimeoutSeconds: Self.connectTimeout).utf8))
        let input = ["--inventory", inventory, "--manifests", CLI.exampleCluster]

        // Without --forget: contacted, unreachable, kept in the record, the run fails.
        let stuck = try CLI.run(["apply"] + input)
        #expect(stuck.exited(1), "\(stuck)")
        #expect(stuck.stdoutText.contains("gone-01  unreachable  left the inventory: the SSH handshake with gone-01 (127.0.0.1:\(silent.port)) timed out"), "\(stuck)")
        #expect(stuck.stdoutText.contains("; kept in the record, retried on the next apply (if it is gone for good: --forget gone-01)"), "\(stuck)")
        #expect(silent.takeConnections() >= 1, "apply did not contact gone-01: this test could not tell\n\(stuck)")
        #expect(try Record.recordedNames(state) == ["gone-01"])

        // diff and apply --dry-run with --forget: shown, not contacted, nothing written.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: state))
        let mtime = try Record.modification(state)
        for command in [["diff"], ["apply", "--dry-run"]] {
            let r = try CLI.run(command + ["--forget", "gone-01"] + input)
            #expect(r.exited(0), "\(r)")
            #expect(r.stdoutText.contains("gone-01  forgotten    left the inventory; --forget: apply removes it from the record without contacting it; rules of ours on it, if any, are left"), "\(r)")
            #expect(r.stdoutText.contains("\n1 forgotten\n"), "\(r)")
            #expect(silent.takeConnections() == 0, "\(command) contacted gone-01\n\(r)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == bytes)
        #expect(try Record.modification(state) == mtime)

        // apply --forget: not contacted (no connection, and done well within the connect timeout), reported, dropped.
        let started = ContinuousClock.now
        let forgot = try CLI.run(["apply", "--forget", "gone-01", "--output", "json"] + input)
        let took = ContinuousClock.now - started
        #expect(forgot.exited(0), "\(forgot)")
        #expect(silent.takeConnections() == 0, "apply --forget contacted gone-01\n\(forgot)")
        #expect(took < .seconds(Self.connectTimeout), "\(forgot)")
        let json = try forgot.json()
        let hosts = try #require(json["hosts"] as? [[String: Any]], "\(forgot)")
        #expect(hosts.count == 1)
        #expect(hosts.first?["host"] as? String == "gone-01")
        #expect(hosts.first?["status"] as? String == "forgotten")
        #expect(hosts.first?["retired"] as? Bool == true)
        #expect(hosts.first?["message"] as? String
                == "left the inventory; forgotten: removed from the record without contacting it; rules of ours on it, if any, were left")
        let record = try #require(json["record"] as? [String: Any], "\(forgot)")
        #expect(record["written"] as? Bool == true)
        #expect(record["hosts"] as? [String] == [])
        #expect(try Record.recordedNames(state) == [])

        // And apply is clean again; gone-01 is no longer known, to apply or to --forget.
        let after = try CLI.run(["apply"] + input)
        #expect(after.exited(0), "\(after)")
        #expect(!after.stdoutText.contains("gone-01"), "\(after)")
        #expect(silent.takeConnections() == 0)
        let again = try CLI.run(["apply", "--forget", "gone-01"] + input)
        #expect(again.exited(1), "\(again)")
        #expect(again.stderrText.contains("extend: --forget gone-01: no such host in the managed hosts record \(state)\n"), "\(again)")
    }

    @Test("--forget with --host: only the forgotten host is dealt with; other listed and retired hosts are not touched, and stay recorded")
    func forgetAlone() throws {
        let files = try TempFiles()
        let inventory = try Record.inventory(["db-01"], in: files)
        let state = try files.write("inventory.yaml.state.json", Array(Record.record(
            [("db-01", "127.0.0.11"), ("gone-01", "127.0.0.20"), ("gone-02", "127.0.0.21")]).utf8))
        let r = try CLI.run(["apply", "--forget", "gone-01", "--host", "gone-01", "--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(0), "\(r)")
        #expect(r.stdoutText.contains("gone-01  forgotten    left the inventory; forgotten: "), "\(r)")
        #expect(!r.stdoutText.contains("db-01") && !r.stdoutText.contains("gone-02"), "\(r)")
        #expect(try Record.recordedNames(state) == ["db-01", "gone-02"])
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        /// On stderr, with INVENTORY and STATE standing for the paths.
        let messages: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let stillListed = "extend: --forget db-01: host db-01 is still in the inventory INVENTORY; only a host that has left it can be forgotten. Remove it from the inventory first"
    static let unknown = "extend: --forget never-01: no such host in the managed hosts record STATE\n"

    static let refused: [Refused] = [
        Refused(arguments: ["apply", "--forget", "db-01"], messages: [stillListed]),
        Refused(arguments: ["apply", "--forget", "never-01"], messages: [unknown]),
        Refused(arguments: ["apply", "--output", "json", "--forget", "db-01"], messages: [stillListed]),
        // One bad name refuses the whole run: gone-01 is not forgotten either.
        Refused(arguments: ["apply", "--forget", "gone-01", "--forget", "never-01", "--forget", "db-01"], messages: [stillListed, unknown]),
        Refused(arguments: ["diff", "--forget", "db-01"], messages: [stillListed]),
        Refused(arguments: ["apply", "--dry-run", "--forget", "never-01"], messages: [unknown]),
    ]

    @Test("--forget of a host still in the inventory, or of a name the record does not know, exits 1 before any host and leaves the record as it was",
          arguments: refused)
    func forgetRefused(_ c: Refused) throws {
        let files = try TempFiles()
        let inventory = try Record.inventory(["db-01"], in: files)
        let state = try files.write("inventory.yaml.state.json",
                                    Array(Record.record([("db-01", "127.0.0.11"), ("gone-01", "127.0.0.20")]).utf8))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: state))
        let mtime = try Record.modification(state)
        Thread.sleep(forTimeInterval: 0.02)

        let r = try CLI.run(c.arguments + ["--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(1), "\(r)")
        #expect(r.stdout.isEmpty, "no host table: no host was worked on\n\(r)")
        for m in c.messages {
            let message = m.replacingOccurrences(of: "INVENTORY", with: inventory).replacingOccurrences(of: "STATE", with: state)
            #expect(r.stderrText.contains(message), "\(r)")
        }
        #expect(r.stderrText.hasSuffix("extend: nothing was done to any host; the managed hosts record is unchanged\n"), "\(r)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == bytes)
        #expect(try Record.modification(state) == mtime)
    }

    @Test("--forget before any record exists is refused, and writes none")
    func forgetWithoutRecord() throws {
        let files = try TempFiles()
        let inventory = try Record.inventory(["db-01"], in: files)
        let state = inventory + ".state.json"
        let r = try CLI.run(["apply", "--forget", "gone-01", "--inventory", inventory, "--manifests", CLI.exampleCluster])
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("extend: --forget gone-01: no such host in the managed hosts record \(state) (there is none yet)"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: state))
    }
}
