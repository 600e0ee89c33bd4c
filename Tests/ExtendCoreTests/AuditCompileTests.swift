import ConformanceSupport
import ExtendCore
import Testing

/// What `enforcement` and the rule comments do to the compiled rules, and
/// what an apply then declares: the counters `AuditCounters` reads are there,
/// audit differs from enforce only in the final verdict, and an apply keeps
/// the chains (with their counters) that did not change.
@Suite("Audit: compiled rules")
struct AuditCompileTests {
    static let web = NP.pods(NP.labels(["app": "web"]))
    static let api = NP.pods(NP.labels(["app": "api"]))
    static let db = NP.labels(["app": "db"])

    /// shop/db-in: ingress 0 from web to 5432, ingress 1 from api to 5432 and 6432.
    /// shop/deny-all: ingress [] (isolates, admits nothing).
    /// shop/db-out: egress 0 to api on 8080.
    static func policies(dbInPorts: [Int] = [5432, 6432]) -> [NetworkPolicy] {
        [NP.policy("shop", "db-in", select: db, types: [.ingress],
                   ingress: [NP.rule([web], ports: [NP.port(5432)]), NP.rule([api], ports: dbInPorts.map { NP.port($0) })]),
         NP.policy("shop", "deny-all", select: db, types: [.ingress]),
         NP.policy("shop", "db-out", select: db, types: [.egress], egress: [NP.rule([api], ports: [NP.port(8080)])])]
    }

    /// Hosts db-enforce and db-audit, alike but for their mode (dual-stack; pods IPv4 only).
    static func world(_ policies: [NetworkPolicy], webIP: String = "10.0.0.1") throws -> World {
        let hosts = [Enforcement.enforce, .audit].enumerated().map { i, e in
            LegacyHost(name: "db-\(e.rawValue)", namespace: "shop", labels: ["app": "db"],
                       addresses: [IPAddress("192.168.1.\(i + 1)")!, IPAddress("2001:db8::\(i + 1)")!],
                       management: [CIDR("198.18.0.1/32")!], enforcement: e)
        }
        let cluster = ClusterState(
            namespaces: [Namespace(name: "shop", labels: [:])],
            pods: [Pod(namespace: "shop", name: "web", labels: ["app": "web"], ips: [IPAddress(webIP)!]),
                   Pod(namespace: "shop", name: "api", labels: ["app": "api"], ips: [IPAddress("10.0.0.2")!])],
            policies: policies)
        let (w, problems) = World.build(cluster: cluster, inventory: Inventory(hosts: hosts))
        try #require(problems.isEmpty, "\(problems)")
        return w
    }

    static func states(_ w: World) throws -> (enforce: HostDesiredState, audit: HostDesiredState) {
        let c = Compiler(world: w)
        return (c.compile(try #require(w.hosts.first { $0.name == "db-enforce" })),
                c.compile(try #require(w.hosts.first { $0.name == "db-audit" })))
    }

    /// A host's rules as `iptables-save -c` prints them right after loading (all counters zero).
    static func saved(_ s: HostDesiredState, _ f: AddressFamily) -> String {
        guard let t = s.table(f) else { return "" }
        var out = "*filter\n"
        for c in t.chains { out += ":\(c.name) - [0:0]\n" }
        for c in t.chains { for r in c.rules { out += "[0:0] -A \(c.name) \(r)\n" } }
        return out + "COMMIT\n"
    }

    static func counters(_ s: HostDesiredState) throws -> AuditCounters {
        try AuditCounters.parse([.inet: saved(s, .inet), .inet6: saved(s, .inet6)])
    }

    static func denyRules(_ s: HostDesiredState) -> [RuleSpec] {
        s.tables.flatMap { $0.chains.filter { $0.name == "NPX-INPUT" || $0.name == "NPX-OUTPUT" }.compactMap(\.rules.last) }
    }

    @Test("audit loads the same sets, chains and rules as enforce; only the final rule's verdict differs")
    func sameRulesButVerdict() throws {
        let (enforce, audit) = try Self.states(try Self.world(Self.policies()))
        #expect(enforce.enforcement == .enforce && audit.enforcement == .audit)
        #expect(enforce.sets == audit.sets)
        let verdictBlind = { (s: HostDesiredState) in
            s.tables.map { t in t.chains.map { c in c.rules.map { $0.words.last == "DROP" ? RuleSpec($0.words.dropLast() + ["ACCEPT"]) : $0 } } }
        }
        #expect(verdictBlind(enforce) == verdictBlind(audit))
        #expect(enforce.tables.map { $0.chains.map(\.name) } == audit.tables.map { $0.chains.map(\.name) })
        #expect(Self.denyRules(enforce).map { $0.words.suffix(2) } == Array(repeating: ["-j", "DROP"], count: 4))
        #expect(Self.denyRules(audit).map { $0.words.suffix(2) } == Array(repeating: ["-j", "ACCEPT"], count: 4))
        #expect(Self.denyRules(audit).allSatisfy { $0.words.starts(with: ["-m", "comment", "--comment"]) })
        #expect(try Self.counters(audit).enforcement == .audit)
        #expect(try Self.counters(enforce).enforcement == .enforce)
    }

    @Test("every isolating policy is named in its direction (one admitting nothing too, in every family); every policy rule is countable")
    func everyPolicyNamed() throws {
        let (_, audit) = try Self.states(try Self.world(Self.policies()))
        let c = try Self.counters(audit)
        #expect(c.denied.map(\.direction) == [.ingress, .egress])
        #expect(c.denied.map(\.policies) == [["shop/db-in", "shop/deny-all"], ["shop/db-out"]])
        #expect(c.denied.allSatisfy { $0.tags.count == 1 }, "both families carry the same tag")
        #expect(c.allowed.map { "\($0.direction.word) \($0.policy) \($0.rule)" }
            == ["ingress shop/db-in 0", "ingress shop/db-in 1", "egress shop/db-out 0"])
        // IPv6: no pod has an IPv6 address, so no policy admits anything there; each is still named.
        let v6 = try #require(audit.table(.inet6))
        let input = try #require(v6.chains.first { $0.name == "NPX-INPUT" })
        #expect(input.rules.filter { $0.words.contains("--comment") }.map(\.description) == [
            #"-m comment --comment "npx:policy shop/db-in ingress""#,
            #"-m comment --comment "npx:policy shop/deny-all ingress""#,
            #"-m comment --comment "npx:deny ingress \#(c.denied[0].tags[0])" -j ACCEPT"#,
        ])
        // IPv4: db-in's chain has one rule per port, each naming its policy rule; deny-all only counts.
        let v4 = try #require(audit.table(.inet))
        let jump = try #require(v4.chains.first { $0.name == "NPX-INPUT" }?.rules.first { $0.words.contains("npx:policy shop/db-in ingress") })
        let chain = try #require(v4.chains.first { $0.name == jump.words.last })
        #expect(chain.rules.map { Array($0.words.suffix(6)) } == [0, 1, 1].map {
            ["-m", "comment", "--comment", "npx:allow shop/db-in ingress \($0)", "-j", "ACCEPT"]
        })
    }

    @Test("two policies with the same rules get chains of their own (their counters are theirs)")
    func identicalPoliciesApart() throws {
        let twin = NP.policy("shop", "db-in-twin", select: Self.db, types: [.ingress], ingress: [NP.rule([Self.web], ports: [NP.port(5432)])])
        let one = NP.policy("shop", "db-in-one", select: Self.db, types: [.ingress], ingress: [NP.rule([Self.web], ports: [NP.port(5432)])])
        let (_, audit) = try Self.states(try Self.world([one, twin]))
        let v4 = try #require(audit.table(.inet))
        #expect(v4.chains.count == 4, "NPX-INPUT, NPX-OUTPUT and one chain per policy")
        #expect(try Self.counters(audit).allowed.map(\.policy) == ["shop/db-in-one", "shop/db-in-twin"])
    }

    @Test("the deny tag changes with the isolating policies and their rules, not with members or other policies")
    func denyTag() throws {
        func tags(_ w: World) throws -> [String] { try Self.counters(try Self.states(w).audit).denied.flatMap(\.tags) }
        let base = try tags(try Self.world(Self.policies()))
        #expect(base.count == 2 && base[0] != base[1])
        // A pod moving to another address changes set members only.
        #expect(try tags(try Self.world(Self.policies(), webIP: "10.0.0.9")) == base)
        // A policy that selects other workloads does not isolate this host.
        let other = NP.policy("shop", "web-in", select: NP.labels(["app": "web"]), types: [.ingress], ingress: [NP.allowAll])
        #expect(try tags(try Self.world(Self.policies() + [other])) == base)
        // A port more in db-in: the ingress tag changes, the egress one stays.
        let changed = try tags(try Self.world(Self.policies(dbInPorts: [5432, 6432, 7432])))
        #expect(changed[0] != base[0] && changed[1] == base[1])
        // deny-all gone: ingress changes.
        let fewer = try tags(try Self.world(Self.policies().filter { $0.name != "deny-all" }))
        #expect(fewer[0] != base[0] && fewer[1] == base[1])
    }

    @Test("a policy name too long for a comment is carried as a label, mapped back by the desired state")
    func longNames() throws {
        let name = String(repeating: "a", count: 240) + "-in"
        let p = NP.policy("shop", name, select: Self.db, types: [.ingress], ingress: [NP.rule([Self.web], ports: [NP.port(5432)])])
        let (enforce, audit) = try Self.states(try Self.world([p]))
        let full = "shop/" + name
        let label = try #require(audit.policyLabels.first)
        #expect(audit.policyLabels == [PolicyLabel(label: label.label, policy: full)] && enforce.policyLabels == audit.policyLabels)
        #expect(label.label.utf8.count == PolicyLabel.longestWhole && label.label.hasPrefix("shop/aaaa") && label.label != full)
        let comments = audit.tables.flatMap { $0.chains.flatMap { $0.rules.compactMap { r in r.words.firstIndex(of: "--comment").map { r.words[$0 + 1] } } } }
        #expect(!comments.isEmpty && comments.allSatisfy { $0.utf8.count <= 255 })
        let c = try Self.counters(audit)
        #expect(c.allowed.map(\.policy) == [label.label])
        let resolved = c.resolving(audit.policyLabels)
        #expect(resolved.allowed.map(\.policy) == [full] && resolved.denied.first?.policies == [full])
        // Another long name with the same first characters gets another label.
        let q = NP.policy("shop", String(repeating: "a", count: 240) + "-up", select: Self.db, types: [.ingress])
        let both = try Self.states(try Self.world([p, q])).audit.policyLabels
        #expect(both.count == 2 && Set(both.map(\.label)).count == 2)
    }

    @Test("the rule count is the same in both modes and grows with the policies, not with the hosts")
    func ruleCount() throws {
        let (enforce, audit) = try Self.states(try Self.world(Self.policies()))
        let count = { (s: HostDesiredState) in s.tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
        #expect(count(enforce) == count(audit))
    }

    /// What a host holding `s` reads back as (sets and both families).
    static func observed(_ s: HostDesiredState) throws -> ObservedHost {
        var ipset = ""
        for set in s.sets {
            ipset += set.kind == .hashNet ? "create \(set.name) hash:net family \(set.family.rawValue) hashsize 64 maxelem 1048576\n"
                : "create \(set.name) list:set size 65536\n"
            for e in set.entryTexts { ipset += "add \(set.name) \(e)\n" }
        }
        func table(_ f: AddressFamily) throws -> ObservedTable {
            try ObservedParser.iptablesSave(saved(s, f).replacingOccurrences(of: "COMMIT\n", with: "[1:1] -A INPUT -j NPX-INPUT\n[1:1] -A OUTPUT -j NPX-OUTPUT\nCOMMIT\n"))
        }
        return ObservedHost(sets: try ObservedParser.ipsetSave(ipset), tables: [.inet: try table(.inet), .inet6: try table(.inet6)])
    }

    /// The chains an iptables payload declares (declaring flushes: their counters start again).
    static func declared(_ plan: HostPlan, _ f: AddressFamily) -> [String] {
        plan.steps.flatMap { step -> [String] in
            guard case .iptablesRestore(f, let text) = step else { return [] }
            return text.split(separator: "\n").filter { $0.hasPrefix(":") }.map { String($0.dropFirst().prefix { $0 != " " }) }
        }
    }

    @Test("an apply that changes nothing writes nothing (counters read with -c are skipped when comparing)")
    func unchangedKeepsAll() throws {
        let (_, audit) = try Self.states(try Self.world(Self.policies()))
        let plan = Planner.plan(audit, observed: try Self.observed(audit))
        #expect(plan.inSync && plan.diff.isEmpty)
    }

    @Test("an apply that changes one policy declares only that policy's new chain and its direction's top chain")
    func changeDeclaresOnlyWhatChanged() throws {
        let (_, before) = try Self.states(try Self.world(Self.policies()))
        let (_, after) = try Self.states(try Self.world(Self.policies(dbInPorts: [5432, 7432])))
        let plan = Planner.plan(after, observed: try Self.observed(before))
        let oldV4 = Set(try #require(before.table(.inet)).chains.map(\.name))
        let newV4 = Set(try #require(after.table(.inet)).chains.map(\.name))
        let added = newV4.subtracting(oldV4), gone = oldV4.subtracting(newV4)
        #expect(added.count == 1 && gone.count == 1, "db-in's chain is new: its rules changed")
        // The old chain is declared only to be emptied and removed.
        #expect(Set(Self.declared(plan, .inet)) == Set(["NPX-INPUT"]).union(added).union(gone))
        let v4 = plan.steps.compactMap { if case .iptablesRestore(.inet, let t) = $0 { return t } else { return nil } }.first ?? ""
        #expect(!v4.contains(":NPX-OUTPUT "), "egress is untouched: its chains keep their rules and counters")
        #expect(!Self.declared(plan, .inet6).contains("NPX-OUTPUT"))
    }

    @Test("switching enforce to audit is an ordinary change: the top chains are declared again and the diff shows the verdicts")
    func switchingModes() throws {
        let (enforce, audit) = try Self.states(try Self.world(Self.policies()))
        var held = try Self.observed(enforce)
        held.sets = try Self.observed(audit).sets
        let plan = Planner.plan(audit, observed: held)
        #expect(!plan.inSync)
        #expect(Self.declared(plan, .inet) == ["NPX-INPUT", "NPX-OUTPUT"] && Self.declared(plan, .inet6) == ["NPX-INPUT", "NPX-OUTPUT"])
        let denied = plan.diff.split(separator: "\n").filter { $0.contains("npx:deny") }
        #expect(denied.count == 8 && denied.filter { $0.hasPrefix("-") }.allSatisfy { $0.hasSuffix("-j DROP") }
                && denied.filter { $0.hasPrefix("+") }.allSatisfy { $0.hasSuffix("-j ACCEPT") })
        #expect(plan.added == 4 && plan.removed == 4)
        let inAudit = try Self.observed(audit)
        #expect(held.enforcement == .enforce && inAudit.enforcement == .audit && ObservedHost().enforcement == nil)
        #expect(HostPlan.enforcementChange(held, audit) == "enforcement enforce → audit")
        #expect(HostPlan.enforcementChange(inAudit, audit) == nil && HostPlan.enforcementChange(ObservedHost(), audit) == nil)
    }

    @Test("explain says a host is in audit mode, and that what its policies deny is counted, then let through")
    func explainSaysTheMode() throws {
        let e = Explainer(world: try Self.world(Self.policies()))
        let audit = try e.explain(from: "shop/web", to: "shop/db-audit", port: 8080, proto: .tcp)
        #expect(audit.verdict == "deny" && audit.ingress.enforcement == .audit && audit.egress.enforcement == nil)
        #expect(audit.text.contains("shop/db-audit is isolated for ingress by shop/db-in, shop/deny-all and no rule of them admits this connection; shop/db-audit is in audit mode: the connection is counted against them, then let through"), "\(audit.text)")
        let admitted = try e.explain(from: "shop/web", to: "shop/db-audit", port: 5432, proto: .tcp)
        #expect(admitted.verdict == "allow" && admitted.text.contains("(shop/db-audit is in audit mode)"), "\(admitted.text)")
        let enforce = try e.explain(from: "shop/web", to: "shop/db-enforce", port: 8080, proto: .tcp)
        #expect(enforce.ingress.enforcement == .enforce && !enforce.text.contains("audit"), "\(enforce.text)")
    }
}

