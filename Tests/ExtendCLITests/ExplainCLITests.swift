import Foundation
import Testing

/// `extend explain` on the bundled example, through the built binary.
@Suite struct ExplainCLITests {
    struct Connection: Sendable, CustomTestStringConvertible {
        let from: String
        let to: String
        let port: Int
        let proto: String
        let verdict: String
        /// The policies the destination's ingress side names as admitting it (allow)
        /// or isolating it (deny); empty when that side is not isolated.
        let ingressPolicies: [String]
        /// Likewise for the source's egress side.
        let egressPolicies: [String]
        var testDescription: String { "\(from) -> \(to) \(proto)/\(port): \(verdict)" }
        var arguments: [String] { ["--from", from, "--to", to, "--port", String(port), "--protocol", proto] }

        init(_ from: String, _ to: String, _ port: Int, _ verdict: String, proto: String = "TCP",
             ingress: [String] = [], egress: [String] = []) {
            self.from = from
            self.to = to
            self.port = port
            self.proto = proto
            self.verdict = verdict
            ingressPolicies = ingress
            egressPolicies = egress
        }
    }

    static let connections: [Connection] = [
        // live/billing-db admits app=api on postgres; namespace-isolation-live admits all of `live`.
        Connection("live/api-6d4f9", "live/billing-db-01", 5432, "allow",
                   ingress: ["live/billing-db", "live/namespace-isolation-live"]),
        Connection("live/api-6d4f9", "live/billing-db-01", 5432, "allow", proto: "UDP",
                   ingress: ["live/namespace-isolation-live"]),
        Connection("staging/web-5c8d7", "live/billing-db-01", 5432, "deny",
                   ingress: ["live/billing-db", "live/namespace-isolation-live"]),
        // elb-isolation-live admits anyone to the ingress controller.
        Connection("203.0.113.7", "live/ingress-controller-0", 443, "allow",
                   ingress: ["live/elb-isolation-live"]),
        Connection("2001:db8::99", "live/ingress-controller-0", 443, "allow",
                   ingress: ["live/elb-isolation-live"]),
        Connection("203.0.113.7", "live/billing-db-01", 5432, "deny",
                   ingress: ["live/billing-db", "live/namespace-isolation-live"]),
        // Between hosts: the database's egress goes only to backup-01 on rsync.
        Connection("live/billing-db-01", "legacy/backup-01", 873, "allow", egress: ["live/billing-db"]),
        Connection("live/billing-db-01", "live/reporting-01", 8080, "deny",
                   ingress: ["live/namespace-isolation-live"], egress: ["live/billing-db"]),
        Connection("legacy/backup-01", "live/billing-db-01", 5432, "deny",
                   ingress: ["live/billing-db", "live/namespace-isolation-live"]),
        Connection("live/reporting-01", "live/billing-db-01", 5432, "allow",
                   ingress: ["live/namespace-isolation-live"]),
        Connection("legacy/backup-01", "live/reporting-01", 8080, "deny",
                   ingress: ["live/namespace-isolation-live"]),
    ]

    @Test(arguments: connections)
    func textVerdict(_ c: Connection) throws {
        let r = try CLI.run(["explain"] + CLI.example + c.arguments)
        #expect(r.exited(0), "\(r)")
        #expect(r.stdoutText.hasPrefix(c.verdict.uppercased() + ": \(c.from) ("), "\(r)")
        #expect(r.stdoutText.contains(") -> \(c.to) ("), "\(r)")
    }

    @Test(arguments: connections)
    func jsonVerdictWithReasons(_ c: Connection) throws {
        let r = try CLI.run(["explain", "--output", "json"] + CLI.example + c.arguments)
        #expect(r.exited(0), "\(r)")
        let json = try r.json()
        #expect(json["verdict"] as? String == c.verdict, "\(r)")
        #expect(json["from"] as? String == c.from)
        #expect(json["to"] as? String == c.to)
        #expect(json["port"] as? Int == c.port)
        #expect(json["protocol"] as? String == c.proto)
        let reasons = try #require(json["reasons"] as? [String], "\(r)")
        #expect(reasons.count == 2 && reasons.allSatisfy { !$0.isEmpty }, "\(reasons)")
        #expect(json["warnings"] is [String])

        let egress = try #require(json["egress"] as? [String: Any], "\(r)")
        let ingress = try #require(json["ingress"] as? [String: Any], "\(r)")
        #expect(egress["direction"] as? String == "Egress")
        #expect(ingress["direction"] as? String == "Ingress")
        let egressAllowed = try #require(egress["allowed"] as? Bool)
        let ingressAllowed = try #require(ingress["allowed"] as? Bool)
        #expect((egressAllowed && ingressAllowed) == (c.verdict == "allow"))
        for (side, wanted) in [(ingress, c.ingressPolicies), (egress, c.egressPolicies)] {
            #expect(side["isolated"] as? Bool == !wanted.isEmpty, "\(side)")
            let allowed = side["allowed"] as? Bool ?? false
            let named: [String]
            if allowed {
                let by = side["allowedBy"] as? [[String: Any]] ?? []
                named = Array(Set(by.compactMap { $0["policy"] as? String })).sorted()
            } else {
                named = (side["isolatedBy"] as? [String] ?? []).sorted()
            }
            #expect(named == wanted, "\(side)")
        }
    }

    struct BadRef: Sendable, CustomTestStringConvertible {
        let from: String
        let to: String
        let message: String
        var testDescription: String { "\(from) -> \(to)" }
        init(_ from: String, _ to: String, _ message: String) {
            self.from = from
            self.to = to
            self.message = message
        }
    }

    static let badRefs: [BadRef] = [
        BadRef("prod/api-6d4f9", "live/billing-db-01",
               #"extend: no namespace "prod" in the cluster or the inventory (from prod/api-6d4f9)"#),
        BadRef("live/api-6d4f9", "live/billing-db-02", "extend: no pod or host live/billing-db-02"),
        // A finished pod has no address that a policy can select.
        BadRef("live/migrate-29k1", "live/billing-db-01", "extend: no pod or host live/migrate-29k1"),
        BadRef("live/api/6d4f9", "live/billing-db-01", #"extend: "live/api/6d4f9" is neither NAMESPACE/NAME nor an IP address"#),
        BadRef("api-6d4f9", "live/billing-db-01", #"extend: "api-6d4f9" is neither NAMESPACE/NAME nor an IP address"#),
        BadRef("live/", "live/billing-db-01", #"extend: "live/" is neither NAMESPACE/NAME nor an IP address"#),
        BadRef("198.18.2.10", "live/billing-db-01",
               "extend: 198.18.2.10 is the address of host backup-01; refer to it as NAMESPACE/NAME"),
        BadRef("10.244.1.11", "live/billing-db-01",
               "extend: 10.244.1.11 is the address of pod live/api-6d4f9; refer to it as NAMESPACE/NAME"),
        BadRef("live/api-6d4f9", "198.18.1.10",
               "extend: 198.18.1.10 is the address of host billing-db-01; refer to it as NAMESPACE/NAME"),
        BadRef("live/api-6d4f9", "2001:db8:1::10",
               "extend: 2001:db8:1::10 is the address of host billing-db-01; refer to it as NAMESPACE/NAME"),
    ]

    @Test(arguments: badRefs, ["text", "json"])
    func badReferenceFails(_ c: BadRef, _ format: String) throws {
        let r = try CLI.run(["explain", "--output", format, "--from", c.from, "--to", c.to, "--port", "5432"] + CLI.example)
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains(c.message), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }

    /// Drop-log prefixes as `render` prints them decode back to host, direction and policies.
    struct Drop: Sendable, CustomTestStringConvertible {
        let direction: String
        let policies: [String]
        var testDescription: String { direction }
    }

    static let drops: [Drop] = [
        Drop(direction: "Ingress", policies: ["live/billing-db", "live/namespace-isolation-live"]),
        Drop(direction: "Egress", policies: ["live/billing-db"]),
    ]

    /// billing-db-01's drop-log prefix for `direction`, from `render --output json`.
    static func prefix(_ direction: String) throws -> String {
        let r = try CLI.run(["render", "--output", "json", "--host", "billing-db-01"] + CLI.example)
        let doc = try r.json()
        let hosts = try #require(doc["hosts"] as? [[String: Any]], "\(r)")
        // The host's drop logs are those of the rule set it holds.
        let ruleSet = try #require((doc["ruleSets"] as? [[String: Any]])?.first { $0["id"] as? Int == hosts.first?["ruleSet"] as? Int })
        let tags = try #require(ruleSet["dropLogs"] as? [[String: Any]], "\(r)")
        let tag = try #require(tags.first { $0["direction"] as? String == direction }, "\(tags)")
        return try #require(tag["prefix"] as? String)
    }

    @Test(arguments: drops)
    func whyDecodesARenderedPrefix(_ d: Drop) throws {
        let prefix = try Self.prefix(d.direction)
        // The kernel log shows the prefix glued to the next field; pass it trimmed.
        let trimmed = prefix.trimmingCharacters(in: .whitespaces)
        let text = try CLI.run(["explain", "--why", trimmed] + CLI.example)
        #expect(text.exited(0), "\(text)")
        #expect(text.stdoutText == "\(trimmed): \(d.direction.lowercased()) drop on host billing-db-01, isolated by "
                + d.policies.joined(separator: ", ") + "; no rule of them admitted the packet\n", "\(text)")

        let json = try CLI.run(["explain", "--output", "json", "--why", prefix] + CLI.example)
        #expect(json.exited(0), "\(json)")
        let tag = try json.json()
        #expect(tag["host"] as? String == "billing-db-01")
        #expect(tag["direction"] as? String == d.direction)
        #expect(tag["policies"] as? [String] == d.policies)
    }

    @Test func whyWithAnUnknownPrefixFails() throws {
        let r = try CLI.run(["explain", "--why", "npx:I:00000000"] + CLI.example)
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains(#"extend: no host of this inventory logs drops with prefix "npx:I:00000000""#), "\(r)")
        #expect(r.stdout.isEmpty)
    }
}
