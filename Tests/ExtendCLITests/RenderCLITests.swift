import Foundation
import Testing

/// `extend render` on the bundled example, through the built binary.
@Suite struct RenderCLITests {
    static let allHosts = ["backup-01", "billing-db-01", "reporting-01"]

    struct Selection: Sendable, CustomTestStringConvertible {
        let hosts: [String]
        let expected: [String]
        var testDescription: String { hosts.isEmpty ? "all hosts" : "--host " + hosts.joined(separator: " --host ") }
        var arguments: [String] { hosts.flatMap { ["--host", $0] } }
    }

    static let selections: [Selection] = [
        Selection(hosts: [], expected: allHosts),
        Selection(hosts: ["billing-db-01"], expected: ["billing-db-01"]),
        // Repeated and out of order: each once, sorted by name.
        Selection(hosts: ["reporting-01", "backup-01", "reporting-01"], expected: ["backup-01", "reporting-01"]),
    ]

    @Test(arguments: selections)
    func textNamesExactlyTheSelectedHosts(_ s: Selection) throws {
        let r = try CLI.run(["render"] + CLI.example + s.arguments)
        #expect(r.exited(0), "\(r)")
        let headers = r.stdoutText.split(separator: "\n").filter { $0.hasPrefix("== ") }
        #expect(headers.map { String($0.split(separator: " ")[1]) } == s.expected, "\(r)")
    }

    @Test(arguments: selections)
    func jsonParsesWithEveryHostsParts(_ s: Selection) throws {
        let r = try CLI.run(["render", "--output", "json"] + CLI.example + s.arguments)
        #expect(r.exited(0), "\(r)")
        let doc = try r.json()
        let hosts = try #require(doc["hosts"] as? [[String: Any]], "\(r)")
        #expect(hosts.compactMap { $0["name"] as? String } == s.expected)
        let sets = try #require(doc["sets"] as? [[String: Any]])
        let names = sets.compactMap { $0["name"] as? String }
        #expect(names == names.sorted() && Set(names).count == names.count, "each set once, by name")
        let listMembers = Dictionary(uniqueKeysWithValues: sets.compactMap { s -> (String, [String])? in
            guard s["type"] as? String == "list:set", let n = s["name"] as? String else { return nil }
            return (n, s["members"] as? [String] ?? [])
        })
        let policyChains = try #require(doc["chains"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(policyChains == policyChains.sorted() && Set(policyChains).count == policyChains.count, "each chain once, by name")
        let ruleSets = try #require(doc["ruleSets"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: ruleSets.compactMap { r in (r["id"] as? Int).map { ($0, r) } })
        #expect(byID.count == ruleSets.count, "each rule set once, by id")
        var needed: Set<String> = [], used: Set<Int> = []
        for host in hosts {
            #expect(host["payloads"] == nil, "payloads would repeat every set's members for every host")
            guard let id = host["ruleSet"] as? Int else {
                #expect(host["needsNothing"] as? Bool == true, "only a host that needs nothing has no rule set")
                continue
            }
            used.insert(id)
            let rs = try #require(byID[id], "host names a rule set listed at the top")
            let digest = try #require(rs["digest"] as? String)
            #expect(digest.hasPrefix("sha256:") && digest.count == 7 + 64, "\(digest)")
            let matched = try #require(rs["matchSets"] as? [String])
            #expect(matched == matched.sorted() && matched.allSatisfy(names.contains), "a rule set names the sets it matches, listed at the top")
            let chainRules = (rs["topChains"] as? [String: [String: [String]]] ?? [:]).values.flatMap { $0.values.joined() }
                + policyRules(doc, rs)
            let inRules = Set(chainRules.flatMap { rule in
                rule.split(separator: " ").enumerated().compactMap { i, w in
                    i > 0 && rule.split(separator: " ")[i - 1] == "--match-set" ? String(w) : nil
                }
            })
            #expect(Set(matched) == inRules, "matchSets are exactly the sets its rules match")
            // A list brings its members.
            needed.formUnion(matched)
            for m in matched { needed.formUnion(listMembers[m] ?? []) }
            let chains = try #require(rs["chains"] as? [String: [String]])
            let top = try #require(rs["topChains"] as? [String: [String: [String]]])
            for (family, names) in chains {
                #expect(Array(names.prefix(2)) == ["NPX-INPUT", "NPX-OUTPUT"])
                #expect(Set(top[family]?.keys.map { $0 } ?? []) == ["NPX-INPUT", "NPX-OUTPUT"])
                #expect(names.dropFirst(2).allSatisfy(policyChains.contains), "a rule set names policy chains listed at the top")
            }
        }
        #expect(Set(byID.keys) == used, "exactly the rule sets the listed hosts hold")
        #expect(Set(names) == needed, "exactly the sets the listed hosts need")
        for set in sets where set["type"] as? String == "list:set" {
            #expect((set["members"] as? [String])?.allSatisfy(names.contains) == true, "a list's members are listed sets")
        }
    }

    /// The rules of a rule set's policy chains, from the top-level chain list.
    func policyRules(_ doc: [String: Any], _ rs: [String: Any]) -> [String] {
        let mine = Set((rs["chains"] as? [String: [String]] ?? [:]).values.joined())
        return (doc["chains"] as? [[String: Any]] ?? []).filter { mine.contains($0["name"] as? String ?? "") }
            .flatMap { $0["rules"] as? [String] ?? [] }
    }

    /// billing-db-01 is selected by both live policies (ingress and egress), in
    /// both address families, and logs its drops.
    @Test func jsonShowsBillingDBRules() throws {
        let r = try CLI.run(["render", "--output", "json", "--host", "billing-db-01"] + CLI.example)
        #expect(r.exited(0), "\(r)")
        let doc = try r.json()
        let hosts = try #require(doc["hosts"] as? [[String: Any]])
        let host = try #require(hosts.first)
        #expect(host["namespace"] as? String == "live")
        let rs = try #require((doc["ruleSets"] as? [[String: Any]])?.first { $0["id"] as? Int == host["ruleSet"] as? Int })
        let sets = try #require(doc["sets"] as? [[String: Any]])
        #expect(sets.contains { ($0["members"] as? [String])?.contains("198.18.2.10") == true && $0["type"] as? String == "hash:net" },
                "the egress set holds backup-01")
        let chains = try #require(rs["chains"] as? [String: [String]])
        #expect(Set(chains.keys) == ["inet", "inet6"])
        let top = try #require(rs["topChains"] as? [String: [String: [String]]])
        #expect(top["inet"]?["NPX-INPUT"]?.contains { $0.contains(#"-m comment --comment "npx:policy live/billing-db ingress" -j NPX-"#) } == true)
        #expect(top["inet"]?["NPX-INPUT"]?.last?.hasSuffix(" -j DROP") == true && rs["enforcement"] as? String == "enforce")
        let policyChains = try #require(doc["chains"] as? [[String: Any]])
        let own = policyChains.filter { chains["inet"]?.contains($0["name"] as? String ?? "") == true }
        #expect(!own.isEmpty && own.allSatisfy { $0["family"] as? String == "inet" && !(($0["rules"] as? [String]) ?? []).isEmpty })
        let drops = try #require(rs["dropLogs"] as? [[String: Any]])
        #expect(Set(drops.compactMap { $0["direction"] as? String }) == ["Ingress", "Egress"])

        // The text header carries the same digest.
        let text = try CLI.run(["render", "--host", "billing-db-01"] + CLI.example)
        let digest = try #require(rs["digest"] as? String)
        #expect(text.stdoutText.hasPrefix("== billing-db-01 (live/billing-db-01) digest \(digest)\n"), "\(text)")
    }

    /// Same input, byte-identical output (house rule 1), text and JSON.
    @Test(arguments: ["text", "json"])
    func twoRunsAreByteIdentical(_ format: String) throws {
        let first = try CLI.run(["render", "--output", format] + CLI.example)
        let second = try CLI.run(["render", "--output", format] + CLI.example)
        #expect(first.exited(0) && second.exited(0), "\(first)\n\(second)")
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
    }

    /// Warnings go to stderr, so stdout stays exactly the rules (or one JSON document).
    @Test func warningsStayOffStdout() throws {
        let r = try CLI.run(["render"] + CLI.example)
        #expect(r.exited(0), "\(r)")
        #expect(r.stderrText.contains("warning: policy live/elb-isolation-live"), "\(r)")
        #expect(!r.stdoutText.contains("warning"))
    }

    @Test func unknownHostIsNamed() throws {
        let r = try CLI.run(["render", "--host", "billing-db-02"] + CLI.example)
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("extend: --host billing-db-02: no such host in \(CLI.exampleInventory)"), "\(r)")
        #expect(r.stdout.isEmpty)
    }
}
