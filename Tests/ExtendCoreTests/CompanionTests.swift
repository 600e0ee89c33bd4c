import ConformanceSupport
import ExtendCore
import Testing

/// Companion NetworkPolicies, case by case: which hosts, which ports, which
/// names. (The semantic promise over the conformance cases is checked in
/// CompanionSemanticsTests.)
@Suite("Companions")
struct CompanionTests {
    /// Cluster namespaces `shop` and `tools` (env: prod), inventory namespace `legacy` (env: prod).
    /// Pods shop/web, shop/api (http=8080). Hosts: db-01 in shop (dual-stack, pg=5432),
    /// db-02 in legacy (pg=5433), files-01 in legacy (http=80), report-01 in shop (no ports).
    static func world(_ policies: [NetworkPolicy], hostsReversed: Bool = false) throws -> World {
        let hosts = [
            LegacyHost(name: "db-01", namespace: "shop", labels: ["app": "db"],
                       addresses: [IPAddress("192.168.1.1")!, IPAddress("2001:db8::1")!],
                       ports: [NamedPort(name: "pg", port: 5432, proto: .tcp)]),
            LegacyHost(name: "db-02", namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("192.168.1.2")!],
                       ports: [NamedPort(name: "pg", port: 5433, proto: .tcp)]),
            LegacyHost(name: "files-01", namespace: "legacy", labels: ["app": "files"], addresses: [IPAddress("192.168.1.3")!],
                       ports: [NamedPort(name: "http", port: 80, proto: .tcp)]),
            LegacyHost(name: "report-01", namespace: "shop", labels: ["app": "report"], addresses: [IPAddress("192.168.1.4")!]),
        ]
        let cluster = ClusterState(
            namespaces: [Namespace(name: "shop", labels: ["env": "prod"]), Namespace(name: "tools", labels: ["env": "prod"])],
            pods: [Pod(namespace: "shop", name: "web", labels: ["app": "web"], ips: [IPAddress("10.0.0.1")!]),
                   Pod(namespace: "shop", name: "api", labels: ["app": "api"], ips: [IPAddress("10.0.0.2")!],
                       containerPorts: [NamedPort(name: "http", port: 8080, proto: .tcp)])],
            policies: hostsReversed ? policies.reversed() : policies)
        let inventory = Inventory(namespaces: [Namespace(name: "legacy", labels: ["env": "prod"], virtual: true)],
                                  hosts: hostsReversed ? hosts.reversed() : hosts)
        let (w, problems) = World.build(cluster: cluster, inventory: inventory)
        try #require(problems.isEmpty, "\(problems)")
        return w
    }

    static func companion(_ p: NetworkPolicy) throws -> Companion? {
        CompanionBuilder(world: try world([p])).companion(for: p)
    }

    static func block(_ a: String) -> NetworkPolicy.Peer {
        .ipBlock(.init(cidr: CIDR(host: IPAddress(a)!)))
    }

    static let prod = NP.labels(["env": "prod"])

    @Test("OR peers: every host any peer selects, pods left to the CNI; ingress keeps named ports (the pod resolves them)")
    func ingressOrPeers() throws {
        let p = NP.policy("shop", "api-in", select: NP.labels(["app": "api"]),
                          ingress: [NP.rule([NP.pods(NP.labels(["app": "report"])), NP.pods(NP.labels(["app": "web"])),
                                             NP.pods(NP.labels(["app": "db"]))],
                                            ports: [NP.named("http")])])
        let c = try #require(try Self.companion(p))
        #expect(c.policy.podSelector == p.podSelector)
        #expect(c.policy.policyTypes == [.ingress])
        #expect(c.policy.ingress == [NP.rule([Self.block("192.168.1.1"), Self.block("192.168.1.4"), Self.block("2001:db8::1")],
                                             ports: [NP.named("http")])])
        #expect(c.policy.egress.isEmpty)
    }

    @Test("namespaceSelector AND podSelector: exactly the hosts in the selected namespaces; named egress ports resolve per host")
    func andPeerNamedEgress() throws {
        let everywhere = NP.policy("shop", "to-db", select: NP.labels(["app": "api"]), types: [.egress],
                                   egress: [NP.rule([NP.pods(NP.labels(["app": "db"]), in: Self.prod)], ports: [NP.named("pg")])])
        let c = try #require(try Self.companion(everywhere))
        // db-01 names pg 5432, db-02 5433: one rule per number, so neither host gets the other's port.
        #expect(c.policy.egress == [
            NP.rule([Self.block("192.168.1.1"), Self.block("2001:db8::1")], ports: [NP.port(5432)]),
            NP.rule([Self.block("192.168.1.2")], ports: [NP.port(5433)]),
        ])
        #expect(c.policy.ingress.isEmpty && c.policy.policyTypes == [.egress], "egress-only stays egress-only")

        let legacyOnly = NP.policy("shop", "to-legacy-db", select: NP.labels(["app": "api"]), types: [.egress],
                                   egress: [NP.rule([NP.pods(NP.labels(["app": "db"]), in: NP.nsName("legacy"))], ports: [NP.named("pg")])])
        #expect(try Self.companion(legacyOnly)?.policy.egress == [NP.rule([Self.block("192.168.1.2")], ports: [NP.port(5433)])])
    }

    @Test("a host that lacks a named port gets no entry for it; one left with no port at all gets no rule")
    func unresolvedNamedPorts() throws {
        let mixed = NP.policy("shop", "out", select: .everything, types: [.egress],
                              egress: [NP.rule([NP.namespaces(Self.prod)], ports: [NP.named("pg"), NP.port(443)])])
        #expect(try Self.companion(mixed)?.policy.egress == [
            NP.rule([Self.block("192.168.1.1"), Self.block("2001:db8::1")], ports: [NP.port(5432), NP.port(443)]),
            NP.rule([Self.block("192.168.1.2")], ports: [NP.port(5433), NP.port(443)]),
            NP.rule([Self.block("192.168.1.3"), Self.block("192.168.1.4")], ports: [NP.port(443)]),
        ])
        // Only the name: files-01 and report-01 lack it, and an empty list would mean every port.
        let onlyName = NP.policy("shop", "out", select: .everything, types: [.egress],
                                 egress: [NP.rule([NP.namespaces(Self.prod)], ports: [NP.named("pg")])])
        let rules = try #require(try Self.companion(onlyName)).policy.egress
        #expect(rules.count == 2 && !rules.contains { $0.ports.isEmpty })
        #expect(!rules.flatMap(\.peers).contains(Self.block("192.168.1.3")))
    }

    @Test("endPort ranges, protocols and port-less protocol entries are kept; no ports stays every port")
    func rangesAndProtocols() throws {
        let ports = [NP.ports(8000, through: 8080, .udp), NP.every(.sctp), NP.port(53, .udp)]
        for d in Direction.allCases {
            let rule = NP.rule([NP.pods(NP.labels(["app": "report"]))], ports: ports)
            let p = NP.policy("shop", "r", types: [d], ingress: d == .ingress ? [rule] : [], egress: d == .egress ? [rule] : [])
            let c = try #require(try Self.companion(p))
            #expect(c.policy.rules(d) == [NP.rule([Self.block("192.168.1.4")], ports: ports)], "\(d)")
        }
        let all = NP.policy("shop", "r", ingress: [NP.rule([NP.pods(NP.labels(["app": "report"]))])])
        #expect(try Self.companion(all)?.policy.ingress == [NP.rule([Self.block("192.168.1.4")])])
    }

    @Test("egress named ports through an ipBlock or to every peer: the hosts the block holds get the number the CNI cannot resolve")
    func namedPortsByAddress() throws {
        let block = NP.policy("shop", "b", types: [.egress], egress: [NP.rule([NP.cidr("192.168.1.0/30")], ports: [NP.named("http"), NP.port(22)])])
        // files-01 (192.168.1.3) is inside and names http; db-01 is inside but lacks it; report-01 (.4) is outside.
        #expect(try Self.companion(block)?.policy.egress == [NP.rule([Self.block("192.168.1.3")], ports: [NP.port(80)])])
        let anyone = NP.policy("shop", "a", types: [.egress], egress: [NP.rule([], ports: [NP.named("pg")])])
        #expect(try Self.companion(anyone)?.policy.egress == [
            NP.rule([Self.block("192.168.1.1"), Self.block("2001:db8::1")], ports: [NP.port(5432)]),
            NP.rule([Self.block("192.168.1.2")], ports: [NP.port(5433)]),
        ])
    }

    @Test("no companion where the CNI already does what the policy says", arguments: [
        ("peers select only pods", NP.policy("shop", "p", ingress: [NP.rule([NP.pods(NP.labels(["app": "web"]))])])),
        ("ipBlock peers (by address, as the CNI matches them)", NP.policy("shop", "p", ingress: [NP.rule([NP.cidr("192.168.1.0/24")])])),
        ("a rule that admits every peer", NP.policy("shop", "p", egress: [NP.allowAll, NP.rule([], ports: [NP.port(443)])])),
        ("no rule at all (deny all)", NP.policy("shop", "p", types: [.ingress, .egress])),
        ("a peer that selects nothing", NP.policy("shop", "p", ingress: [NP.rule([NP.pods(NP.labels(["app": "none"]))])])),
        ("a namespace only the inventory has: no pod there, no CNI", NP.policy("legacy", "p", ingress: [NP.rule([NP.pods(NP.labels(["app": "files"]))])])),
        ("egress rules without Egress in policyTypes have no effect", NP.policy("shop", "p", types: [.ingress],
            egress: [NP.rule([NP.namespaces(NP.nsName("legacy"))])])),
    ])
    func none(_ why: String, _ p: NetworkPolicy) throws {
        #expect(try Self.companion(p) == nil, "\(why)")
    }

    @Test("a rule that selects no host adds no rule beside one that does")
    func onlyHostRules() throws {
        let p = NP.policy("shop", "p", ingress: [NP.rule([NP.pods(NP.labels(["app": "web"]))], ports: [NP.port(1)]),
                                                 NP.rule([NP.pods(NP.labels(["app": "report"]))], ports: [NP.port(2)])])
        #expect(try Self.companion(p)?.policy.ingress == [NP.rule([Self.block("192.168.1.4")], ports: [NP.port(2)])])
    }

    @Test("labels mark it ours; annotations name the source and its uid when known")
    func marks() throws {
        var p = NP.policy("shop", "api-in", ingress: [NP.rule([NP.pods(NP.labels(["app": "report"]))])])
        let c = try #require(try Self.companion(p))
        #expect(c.name == "api-in-npx-hosts" && c.namespace == "shop")
        #expect(c.policy.labels == ["app.kubernetes.io/managed-by": "netpol-extend", "netpol-extend.io/companion": "true"])
        #expect(c.policy.isManagedCompanion && !p.isManagedCompanion)
        #expect(c.annotations.map(\.key) == ["netpol-extend.io/source-policy"] && c.annotations.map(\.value) == ["api-in"])
        p.uid = "6f1c0e1a-0000-4000-8000-000000000001"
        let owned = try #require(try Self.companion(p))
        #expect(owned.sourceUID == p.uid)
        #expect(owned.annotations.map(\.key) == ["netpol-extend.io/source-policy", "netpol-extend.io/source-uid"])
    }

    @Test("names: <policy>-npx-hosts; a long one keeps its head and a hash of the whole, within 253 characters")
    func names() {
        #expect(CompanionName.of("billing-db") == "billing-db-npx-hosts")
        let fits = String(repeating: "a", count: 243)
        #expect(CompanionName.of(fits) == fits + "-npx-hosts", "exactly 253")
        let long1 = String(repeating: "a", count: 240) + ".b-" + String(repeating: "c", count: 10)
        let long2 = String(repeating: "a", count: 240) + ".b-" + String(repeating: "d", count: 10)
        let n1 = CompanionName.of(long1), n2 = CompanionName.of(long2)
        #expect(n1.count <= 253 && n2.count <= 253)
        #expect(n1 != n2, "same head, different names")
        #expect(n1 == CompanionName.of(long1), "stable")
        #expect(n1.hasPrefix(String(repeating: "a", count: 200)) && n1.hasSuffix("-npx-hosts"))
        // A DNS subdomain: every dot-separated label starts and ends alphanumeric.
        for label in n1.split(separator: ".", omittingEmptySubsequences: false) {
            #expect(label.first?.isLetter == true || label.first?.isNumber == true, "\(n1)")
            #expect(label.last?.isLetter == true || label.last?.isNumber == true, "\(n1)")
        }
        // A head cut right after a dot or dash loses it rather than end a label with it.
        let cutAtDot = String(repeating: "a", count: 231) + "." + String(repeating: "b", count: 30)
        #expect(!CompanionName.of(cutAtDot).contains(".-"))
    }

    @Test("the same input in any order gives the same companions, byte for byte")
    func deterministic() throws {
        let policies = [
            NP.policy("shop", "b", egress: [NP.rule([NP.pods(NP.labels(["app": "db"]), in: Self.prod)], ports: [NP.named("pg")])]),
            NP.policy("shop", "a", ingress: [NP.rule([NP.namespaces(Self.prod)])]),
            NP.policy("tools", "c", ingress: [NP.rule([NP.pods(.everything, in: Self.prod)], ports: [NP.port(22)])]),
        ]
        let one = CompanionBuilder(world: try Self.world(policies)).companions()
        let other = CompanionBuilder(world: try Self.world(policies, hostsReversed: true)).companions()
        #expect(one.map(\.id) == ["shop/a-npx-hosts", "shop/b-npx-hosts", "tools/c-npx-hosts"])
        #expect(Companion.yaml(one) == Companion.yaml(other))
        #expect(one == other)
    }

    @Test("companions in the cluster input get no companions, change no host's rules, and leave the plan in sync")
    func managedCompanionsInTheInput() throws {
        let policies = [
            NP.policy("shop", "to-db", select: NP.labels(["app": "api"]),
                      egress: [NP.rule([NP.pods(NP.labels(["app": "db"]), in: Self.prod)], ports: [NP.named("pg")])]),
            NP.policy("shop", "in", select: NP.labels(["app": "db"]), ingress: [NP.rule([NP.namespaces(Self.prod)])]),
            NP.policy("shop", "all-db", select: .everything, ingress: [NP.rule([NP.pods(NP.labels(["app": "db"]))])]),
        ]
        let before = try Self.world(policies)
        let wanted = CompanionBuilder(world: before).companions()
        #expect(wanted.count == 3)
        let after = try Self.world(policies + wanted.map(\.policy))
        #expect(after.policies == before.policies, "ours are kept apart from the policies")
        #expect(after.managedCompanions.map(\.id) == wanted.map(\.id))
        #expect(CompanionBuilder(world: after).companions() == wanted)
        // db-01 sits in `shop`, where the companions' podSelectors pick it: they must not reach its rules.
        for host in before.hosts {
            #expect(Compiler(world: after).compile(host) == Compiler(world: before).compile(host), "\(host.name)")
        }
        let plan = CompanionPlan(wanted: wanted, world: after)
        #expect(plan.unchanged == wanted && !plan.hasChanges)
        // Even without our labels (a copy someone made), a companion picks no host by selector: no companion of a companion.
        let bare = wanted.map { c -> NetworkPolicy in
            var p = c.policy
            p.labels = [:]
            return p
        }
        let copied = try Self.world(policies + bare)
        #expect(bare.allSatisfy { CompanionBuilder(world: copied).companion(for: $0) == nil })
    }

    @Test("one change at a time (the controller's path): a companion arriving changes no host; its labels decide where it goes")
    func incremental() throws {
        let policies = [NP.policy("shop", "in", select: .everything, ingress: [NP.rule([NP.pods(NP.labels(["app": "report"]))])])]
        let world = try Self.world(policies)
        let companion = try #require(CompanionBuilder(world: world).companions().first)
        let incremental = IncrementalCompiler(world: world)
        let before = world.hosts.map { incremental.state(of: $0.name) }
        // Its podSelector picks db-01 and report-01 (hosts in shop): as a policy it would give them a chain.
        let delta = incremental.apply([.policy(companion.policy)])
        #expect(world.hosts.map { incremental.state(of: $0.name) } == before, "\(delta)")
        #expect(incremental.world.managedCompanions.map(\.id) == [companion.id])
        #expect(incremental.world.policies.map(\.id) == ["shop/in"])
        // Our labels taken off: an ordinary policy now, enforced on the hosts it selects.
        var bare = companion.policy
        bare.labels = [:]
        _ = incremental.apply([.policy(bare)])
        #expect(incremental.world.managedCompanions.isEmpty)
        #expect(incremental.world.policies.map(\.id) == ["shop/in", "shop/in-npx-hosts"])
        _ = incremental.apply([.policy(companion.policy)])
        _ = incremental.apply([.policyDeleted(namespace: "shop", name: companion.name)])
        #expect(incremental.world.managedCompanions.isEmpty && incremental.world.policies.map(\.id) == ["shop/in"])
        #expect(world.hosts.map { incremental.state(of: $0.name) } == before)
    }
}
