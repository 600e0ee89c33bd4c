import BenchSupport
import Testing

/// Both formats of `render --output json`, read in chunks small enough to
/// split every token.
@Suite struct RenderOutputScannerTests {
    /// Issue 10's format: shared sets, policy chains and rule sets, hosts
    /// naming their rule set; hosts first, as the CLI writes them. The rule
    /// set matches a list, which brings its two atoms.
    static let shared = """
        {"hosts": [
          {"name": "db-1", "namespace": "legacy", "needsNothing": false, "ruleSet": 7},
          {"name": "idle", "namespace": "legacy", "needsNothing": true}
         ],
         "ruleSets": [
          {"chains": {"inet": ["NPX-INPUT", "NPX-OUTPUT", "NPX-p1"], "inet6": ["NPX-INPUT", "NPX-OUTPUT", "NPX-p2"]},
           "digest": "sha256:00", "dropLogs": [], "id": 7, "matchSets": ["npx-list"],
           "topChains": {"inet": {"NPX-INPUT": ["-j x"], "NPX-OUTPUT": []}, "inet6": {"NPX-INPUT": [], "NPX-OUTPUT": []}}}
         ],
         "chains": [{"family": "inet", "name": "NPX-p1", "rules": ["-A a"]}, {"family": "inet6", "name": "NPX-p2", "rules": ["-A c"]}],
         "sets": [
          {"family": "inet", "members": ["10.0.0.1", "10.0.0.2", "10.1.0.0/16 nomatch"], "name": "npx-a", "type": "hash:net"},
          {"family": "inet", "members": ["10.0.0.2", "198.18.1.1"], "name": "npx-b", "type": "hash:net"},
          {"family": "inet", "members": ["npx-a", "npx-b"], "name": "npx-list", "type": "list:set"},
          {"family": "inet", "members": ["10.9.9.9"], "name": "npx-unused", "type": "hash:net"}
         ],
         "warnings": ["w \\"quoted\\""]}
        """

    /// Before issue 10: each host carries its sets, plus payloads.
    static let perHost = """
        {"hosts": [{"chains": {"inet": [{"name": "NPX-IN", "rules": ["-A a"]}]}, "digest": "sha256:00", "dropLogs": [],
                    "name": "db-1", "namespace": "legacy", "needsNothing": false,
                    "payloads": {"ipset": "create npx-a hash:net\\nadd npx-a 10.0.0.1\\n"},
                    "sets": [{"family": "inet", "members": ["10.0.0.1", "10.0.0.2"], "name": "npx-a"},
                             {"family": "inet", "members": ["10.0.0.2", "10.1.0.0/16 nomatch"], "name": "npx-b"}]}],
         "warnings": []}
        """

    @Test(arguments: [3, 1 << 20])
    func sharedSets(chunk: Int) throws {
        let m = try RenderOutputScanner.scan(Array(Self.shared.utf8), chunkSize: chunk)
        #expect(m.format == .shared)
        #expect(m.sharedSets == 4)
        #expect(m.warnings == 1)
        #expect(m.unknownSetNames == 0)
        #expect(m.digests == ["db-1": "sha256:00", "idle": ""])
        #expect(m.hosts == [
            .init(name: "db-1", rules: 3, setEntries: 7, distinctAddresses: 3),  // 1 top rule + 1 + 1; list 2 + atoms 3 + 2
            .init(name: "idle", rules: 0, setEntries: 0, distinctAddresses: 0),
        ])
    }

    @Test(arguments: [3, 1 << 20])
    func setsPerHost(chunk: Int) throws {
        let m = try RenderOutputScanner.scan(Array(Self.perHost.utf8), chunkSize: chunk)
        #expect(m.format == .perHost)
        #expect(m.digests == ["db-1": "sha256:00"])
        #expect(m.hosts == [.init(name: "db-1", rules: 1, setEntries: 4, distinctAddresses: 2)])
    }

    @Test func truncatedOutputIsAnError() {
        let cut = Array(Self.shared.utf8.prefix(200))
        #expect(throws: JSONScanError.self) { try RenderOutputScanner.scan(cut) }
    }
}
