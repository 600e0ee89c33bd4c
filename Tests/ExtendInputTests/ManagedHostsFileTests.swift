import ExtendCore
import ExtendInput
import Foundation
import Testing

/// The managed hosts record on disk: what `extend apply` remembers so that a
/// host deleted from the inventory can still be cleaned.
@Suite struct ManagedHostsFileTests {
    static func host(_ name: String, _ addresses: [String], connect: String? = nil) -> ManagedHost {
        var ssh = SSHSettings()
        ssh.address = connect ?? addresses[0]
        return ManagedHost(name: name, addresses: addresses.map { IPAddress($0)! }, ssh: ssh)
    }

    static let record: ManagedHostsRecord = {
        var db = host("billing-db-01", ["198.18.1.10", "2001:db8:1::10"])
        db.ssh.port = 2222
        db.ssh.user = "deploy"
        db.ssh.identityFile = "/etc/extend/keys/id \"billing\"\\1"
        db.ssh.knownHostsFile = "~/.ssh/known_hosts"
        db.ssh.sudo = true
        db.ssh.connectTimeoutSeconds = 3
        return ManagedHostsRecord(hosts: [host("reporting-01", ["198.18.1.11"], connect: "reporting-01.example.com"), db])
    }()

    @Test("no file is no record yet (a first run)")
    func missingFileIsNoRecord() throws {
        let tmp = try TempFiles()
        #expect(try ManagedHostsFile.read(path: tmp.root + "/inventory.yaml.state.json") == nil)
    }

    @Test("the default record sits beside its inventory, named after it")
    func defaultPathPerInventory() {
        #expect(ManagedHostsFile.defaultPath(inventory: "ops/inventory.yaml") == "ops/inventory.yaml.state.json")
        #expect(ManagedHostsFile.defaultPath(inventory: "ops/dmz.yaml") != ManagedHostsFile.defaultPath(inventory: "ops/inventory.yaml"))
    }

    @Test("what apply writes reads back the same, every connection setting included")
    func roundTrip() throws {
        let tmp = try TempFiles()
        let path = tmp.root + "/inventory.yaml.state.json"
        try ManagedHostsFile.write(Self.record, to: path)
        let back = try #require(try ManagedHostsFile.read(path: path))
        #expect(back == Self.record)
        let db = try #require(back.host(named: "billing-db-01"))
        #expect(db.addressAndPort == "198.18.1.10:2222")
        #expect(db.ssh.user == "deploy" && db.ssh.sudo && db.ssh.connectTimeoutSeconds == 3)
        #expect(db.ssh.identityFile == "/etc/extend/keys/id \"billing\"\\1")
        #expect(back.host(named: "reporting-01")?.connectAddress == "reporting-01.example.com")

        // An empty record (every host cleaned) is a record too.
        try ManagedHostsFile.write(ManagedHostsRecord(), to: path)
        #expect(try ManagedHostsFile.read(path: path) == ManagedHostsRecord())
    }

    @Test("the same record is the same bytes, hosts by name, valid JSON, no secret in it")
    func deterministicJSON() throws {
        let text = ManagedHostsFile.text(Self.record)
        #expect(text == ManagedHostsFile.text(ManagedHostsRecord(hosts: Self.record.hosts.reversed())))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["kind"] as? String == "ManagedHosts")
        let hosts = try #require(json["hosts"] as? [[String: Any]])
        #expect(hosts.compactMap { $0["name"] as? String } == ["billing-db-01", "reporting-01"])
        let ssh = try #require(hosts[0]["ssh"] as? [String: Any])
        #expect(Set(ssh.keys) == ["address", "port", "user", "identityFile", "knownHostsFile", "sudo", "mode", "connectTimeoutSeconds"])
        #expect(!text.lowercased().contains("passphrase"))
    }

    @Test("the file is readable by its owner only (0600), whatever the umask and the old file's mode")
    func ownerOnly() throws {
        let tmp = try TempFiles()
        let path = try tmp.write("inventory.yaml.state.json", "{}")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let old = umask(0)
        defer { umask(old) }
        try ManagedHostsFile.write(Self.record, to: path)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }

    @Test("replacing the record is one step: a reader of the old file sees it whole, the path gives the new one, no temporary file is left")
    func atomicReplace() throws {
        let tmp = try TempFiles()
        let path = tmp.root + "/inventory.yaml.state.json"
        let first = ManagedHostsRecord(hosts: [Self.host("gone-01", ["198.18.1.20"])])
        try ManagedHostsFile.write(first, to: path)
        let reader = try #require(FileHandle(forReadingAtPath: path))
        defer { try? reader.close() }

        try ManagedHostsFile.write(Self.record, to: path)
        #expect(String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self) == ManagedHostsFile.text(first))
        #expect(try ManagedHostsFile.read(path: path) == Self.record)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.root) == ["inventory.yaml.state.json"])
    }

    @Test("a record that cannot be written is an error naming the file, and leaves nothing behind")
    func unwritable() throws {
        let tmp = try TempFiles()
        let path = tmp.root + "/no-such-folder/inventory.yaml.state.json"
        let error = try #require(throws: InputError.self) { try ManagedHostsFile.write(Self.record, to: path) }
        #expect(error.description.hasPrefix("\(path): error: cannot write the managed hosts record: "), "\(error)")
        #expect(error.description.contains("No such file or directory"), "\(error)")

        // A folder where the file should be: the rename fails, the temporary file is removed.
        let folder = tmp.root + "/is-a-folder"
        try FileManager.default.createDirectory(atPath: folder + "/inside", withIntermediateDirectories: true)
        #expect(throws: InputError.self) { try ManagedHostsFile.write(Self.record, to: folder) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.root).sorted() == ["is-a-folder"])
    }

    struct Corrupt: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let text: String
        /// The first diagnostic, with F for the file's path.
        let expected: String
    }

    static let good = ManagedHostsFile.text(ManagedHostsRecord(hosts: [host("db-01", ["198.18.1.10"])]))

    static let corrupt: [Corrupt] = [
        Corrupt(testDescription: "empty", text: "",
                expected: "F:1:1: error: the file is empty; expected the managed hosts record that extend apply writes (apiVersion: netpol-extend/v1, kind: ManagedHosts)"),
        Corrupt(testDescription: "cut short", text: String(good.prefix(good.count / 2)),
                expected: "F:11:6: error: invalid JSON: the file ends where a key in double quotes should follow (the object at line 8, column 14 is not closed)"),
        Corrupt(testDescription: "an inventory given as the record",
                text: "apiVersion: netpol-extend/v1\nkind: Inventory\nhosts: []\n",
                expected: #"F:2:7: error: kind: must be ManagedHosts, not "Inventory"; is this the managed hosts record that extend apply writes?"#),
        Corrupt(testDescription: "another version",
                text: good.replacingOccurrences(of: "netpol-extend/v1", with: "netpol-extend/v2"),
                expected: #"F:2:17: error: apiVersion: must be netpol-extend/v1, not "netpol-extend/v2"; is this the managed hosts record that extend apply writes?"#),
        Corrupt(testDescription: "a passphrase added by hand",
                text: good.replacingOccurrences(of: "\"sudo\": false,", with: "\"sudo\": false, \"passphrase\": \"x\","),
                expected: #"F:14:24: error: unknown key "passphrase" in hosts[0].ssh (allowed: address, port, user, identityFile, knownHostsFile, sudo, mode, connectTimeoutSeconds)"#),
        Corrupt(testDescription: "an ssh mode it does not know",
                text: good.replacingOccurrences(of: "\"mode\": \"shell\"", with: "\"mode\": \"restricted-ish\""),
                expected: #"F:15:17: error: hosts[0].ssh.mode: ssh mode "restricted-ish" is not known; must be shell"#),
        Corrupt(testDescription: "a setting missing",
                text: good.replacingOccurrences(of: "\"port\": 22,\n", with: ""),
                expected: #"F:8:14: error: hosts[0].ssh: missing key "port" (extend apply writes every key of the record)"#),
        Corrupt(testDescription: "a bad address",
                text: good.replacingOccurrences(of: "[\"198.18.1.10\"]", with: "[\"198.18.1.300\"]"),
                expected: #"F:7:21: error: hosts[0].addresses[0]: "198.18.1.300" is not an IP address; expected an IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#),
        Corrupt(testDescription: "a port as text",
                text: good.replacingOccurrences(of: "\"port\": 22", with: "\"port\": \"22\""),
                expected: #"F:10:17: error: hosts[0].ssh.port: expected an integer, got the string "22"; write it without quotes: 22"#),
        Corrupt(testDescription: "a host twice",
                text: "{\"apiVersion\": \"netpol-extend/v1\", \"kind\": \"ManagedHosts\", \"hosts\": [\n"
                    + hostJSON + ",\n" + hostJSON + "]}\n",
                expected: #"F:3:10: error: hosts[1].name: host "db-01" is recorded twice (first at F:2)"#),
    ]

    static let hostJSON = #"{"name": "db-01", "addresses": ["198.18.1.10"], "ssh": {"address": "198.18.1.10", "port": 22, "user": "root", "identityFile": "k", "knownHostsFile": "kh", "sudo": false, "connectTimeoutSeconds": 10}}"#

    @Test("a record that is not one apply wrote is an error at FILE:LINE:COLUMN, never read as no record", arguments: corrupt)
    func corruptRecord(_ c: Corrupt) throws {
        let tmp = try TempFiles()
        let path = try tmp.write("inventory.yaml.state.json", c.text)
        let error = try #require(throws: InputError.self) { try ManagedHostsFile.read(path: path) }
        let first = try #require(error.errors.first).description
        let expected = c.expected.replacingOccurrences(of: "F:", with: path + ":").replacingOccurrences(of: "(first at F", with: "(first at \(path)")
        #expect(first.hasPrefix(expected), "\(error)")
    }

    @Test("ssh.mode round-trips through the record, and a record written before ssh.mode existed reads its hosts as shell")
    func mode() throws {
        var restricted = Self.host("db-01", ["198.18.1.10"])
        restricted.ssh.mode = .restricted
        let tmp = try TempFiles()
        let path = try tmp.write("r.state.json", ManagedHostsFile.text(ManagedHostsRecord(hosts: [restricted])))
        #expect(try ManagedHostsFile.read(path: path)?.hosts.first?.ssh.mode == .restricted)
        let old = try tmp.write("old.state.json",
            "{\"apiVersion\": \"netpol-extend/v1\", \"kind\": \"ManagedHosts\", \"hosts\": [\n" + Self.hostJSON + "]}\n")
        #expect(try ManagedHostsFile.read(path: old)?.hosts.first?.ssh.mode == .shell)
    }
}
