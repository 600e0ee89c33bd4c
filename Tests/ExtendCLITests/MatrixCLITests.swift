import Foundation
import Testing

/// `extend matrix` on the bundled example, through the built binary.
@Suite struct MatrixCLITests {
    struct Document: Decodable {
        struct Class: Decodable { var id: String; var members: [String] }
        struct Port: Decodable, Equatable { var `protocol`: String; var port: Int?; var endPort: Int? }
        struct Group: Decodable { var from: [String]; var to: [String]; var ports: [Port] }
        var classes: [Class]
        var allowed: [Group]
    }

    @Test("who can reach the billing database: every live workload on every port, nothing from staging or the backup host; the backup host is reached from the database on rsync only")
    func whoReachesBillingDB() throws {
        let r = try CLI.run(["matrix", "--to", "live/billing-db-01"] + CLI.example)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutText == "live/api-6d4f9, live/ingress-controller-0, live/reporting-01 -> live/billing-db-01  all ports\n", "\(r)")
        let from = try CLI.run(["matrix", "--from", "live/billing-db-01"] + CLI.example)
        #expect(from.stdoutText == "live/billing-db-01 -> legacy/backup-01  TCP 873\n", "\(from)")
    }

    @Test("--output json follows the contract: groups of endpoints (or classes) and ports; it says what explain says for every pair it lists, and lists every pair explain allows")
    func jsonMatchesExplain() throws {
        let r = try CLI.run(["matrix", "--output", "json"] + CLI.example)
        #expect(r.status == 0, "\(r)")
        let doc = try JSONDecoder().decode(Document.self, from: Data(r.stdoutText.utf8))
        let members = Dictionary(uniqueKeysWithValues: doc.classes.map { ($0.id, $0.members) })
        func expand(_ names: [String]) -> [String] { names.flatMap { members[$0] ?? [$0] } }
        var allowed: Set<String> = []
        for g in doc.allowed {
            for f in expand(g.from) { for t in expand(g.to) where f != t { for p in g.ports { allowed.insert("\(f) \(t) \(p.protocol) \(p.port ?? 0)") } } }
        }
        let endpoints = ["legacy/backup-01", "live/api-6d4f9", "live/billing-db-01", "live/ingress-controller-0", "live/reporting-01", "staging/web-5c8d7"]
        for f in endpoints {
            for t in endpoints where f != t {
                for port in [873, 5432] {
                    let e = try CLI.run(["explain", "--from", f, "--to", t, "--port", String(port), "--output", "json"] + CLI.example)
                    let verdict = try JSONSerialization.jsonObject(with: Data(e.stdoutText.utf8)) as? [String: Any]
                    let listed = allowed.contains("\(f) \(t) TCP \(port)") || allowed.contains("\(f) \(t) TCP 0")
                    #expect(listed == (verdict?["verdict"] as? String == "allow"), "\(f) -> \(t) TCP \(port)")
                }
            }
        }
    }

    @Test("csv has a header and a row per pair and port range; dot is a digraph with an edge per pair")
    func csvAndDot() throws {
        let csv = try CLI.run(["matrix", "--output", "csv", "--from", "live/billing-db-01"] + CLI.example)
        #expect(csv.stdoutText == "from,to,protocol,port,end_port\nlive/billing-db-01,legacy/backup-01,TCP,873,\n", "\(csv)")
        let dot = try CLI.run(["matrix", "--output", "dot"] + CLI.example)
        #expect(dot.stdoutText.hasPrefix("digraph matrix {") && dot.stdoutText.contains("[label=\"TCP 873\"]"), "\(dot)")
    }

    @Test("an unknown endpoint is refused by name, with exit 1 and nothing on stdout")
    func unknownRef() throws {
        let r = try CLI.run(["matrix", "--to", "live/nope"] + CLI.example)
        #expect(r.status == 1 && r.stdout.isEmpty && r.stderrText.contains("--to live/nope: no pod or host live/nope"), "\(r)")
    }
}
