import ConformanceSupport
import ExtendCore
import ExtendInput
import Testing

/// Companions as `kubectl apply` takes them, read back as the cluster input
/// gives them; and the plan of wanted against present.
@Suite("Companion manifests and plan")
struct CompanionManifestTests {
    static let hosts = [
        LegacyHost(name: "db-01", namespace: "legacy", labels: ["app": "db", "version": "1.10", "enabled": "yes"],
                   addresses: [IPAddress("192.168.1.1")!, IPAddress("2001:db8::1")!],
                   ports: [NamedPort(name: "pg", port: 5432, proto: .tcp)]),
    ]

    static func world(_ policies: [NetworkPolicy]) throws -> World {
        let cluster = ClusterState(namespaces: [Namespace(name: "shop", labels: ["on": "true"])], policies: policies)
        let inventory = Inventory(namespaces: [Namespace(name: "legacy", virtual: true)], hosts: hosts)
        let (w, problems) = World.build(cluster: cluster, inventory: inventory)
        try #require(problems.isEmpty, "\(problems)")
        return w
    }

    /// Label values YAML 1.1 would read as other types, selectors of every shape, every port form.
    static let tricky = NP.policy("shop", "tricky",
        select: LabelSelector(matchLabels: ["on": "true", "n": "0123"],
                              matchExpressions: [.init(key: "tier", op: .in, values: ["2001-01-01", "no"]), .init(key: "x", op: .doesNotExist)]),
        types: [.ingress, .egress],
        ingress: [NP.rule([NP.pods(NP.labels(["version": "1.10"]), in: NP.nsName("legacy"))],
                          ports: [NP.named("pg"), NP.ports(8000, through: 8080, .udp), NP.every(.sctp)])],
        egress: [NP.rule([NP.pods(NP.labels(["enabled": "yes"]), in: LabelSelector.everything)], ports: [NP.named("pg"), NP.port(443)])])

    @Test("the YAML is what kubectl apply -f - takes, spelled as kubectl prints it")
    func yamlText() throws {
        let p = NP.policy("shop", "db", select: NP.labels(["app": "api"]), types: [.egress],
                          egress: [NP.rule([NP.pods(NP.labels(["app": "db"]), in: .everything)], ports: [NP.named("pg")])])
        let c = try #require(CompanionBuilder(world: try Self.world([p])).companion(for: p))
        #expect(Companion.yaml([c]) == """
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: db-npx-hosts
              namespace: shop
              labels:
                app.kubernetes.io/managed-by: netpol-extend
                netpol-extend.io/companion: "true"
              annotations:
                netpol-extend.io/source-policy: db
            spec:
              podSelector:
                matchLabels:
                  app: api
              policyTypes:
              - Egress
              egress:
              - to:
                - ipBlock:
                    cidr: 192.168.1.1/32
                - ipBlock:
                    cidr: 2001:db8::1/128
                ports:
                - protocol: TCP
                  port: 5432

            """)
    }

    @Test("YAML and the JSON List read back as the same policies, labels and all", arguments: ["yaml", "json"])
    func roundTrip(_ format: String) throws {
        let wanted = CompanionBuilder(world: try Self.world([Self.tricky])).companions()
        try #require(wanted.count == 1)
        let text = format == "yaml" ? Companion.yaml(wanted) : Companion.jsonList(wanted).json
        let load = ManifestLoader.parse(text, path: "companions.\(format)")
        #expect(load.diagnostics.isEmpty, "\(load.diagnostics)\n\(text)")
        let read = load.cluster.policies.map { p -> NetworkPolicy in
            var p = p
            p.origin = nil
            return p
        }
        #expect(read == wanted.map(\.policy), "\(text)")
        // Read back as the cluster input, they are ours and in sync.
        let plan = CompanionPlan(wanted: wanted, world: try Self.world([Self.tricky] + load.cluster.policies))
        #expect(plan.unchanged.map(\.id) == ["shop/tricky-npx-hosts"] && !plan.hasChanges)
    }

    @Test("plan: create the new, update the changed, delete the stale, never touch a policy that is not ours")
    func plan() throws {
        let toDB = NP.policy("shop", "to-db", egress: [NP.rule([NP.namespaces(NP.nsName("legacy"))], ports: [NP.named("pg")])])
        let fromDB = NP.policy("shop", "from-db", ingress: [NP.rule([NP.namespaces(NP.nsName("legacy"))])])
        let third = NP.policy("shop", "third", ingress: [NP.rule([NP.namespaces(NP.nsName("legacy"))], ports: [NP.port(1)])])
        let wanted = CompanionBuilder(world: try Self.world([toDB, fromDB, third])).companions()
        try #require(wanted.map(\.name) == ["from-db-npx-hosts", "third-npx-hosts", "to-db-npx-hosts"])
        // In the cluster: from-db's companion with an old spec, a stale one, and someone else's policy named like third's.
        var old = wanted[0].policy
        old.ingress = [NP.rule([NP.cidr("192.168.1.9/32")])]
        var stale = wanted[0].policy
        stale.name = "gone-npx-hosts"
        let squatter = NP.policy("shop", "third-npx-hosts", ingress: [NP.allowAll])
        let world = try Self.world([toDB, fromDB, third, old, stale, squatter])
        let plan = CompanionPlan(wanted: CompanionBuilder(world: world).companions(), world: world)
        #expect(plan.create.map(\.name) == ["to-db-npx-hosts"])
        #expect(plan.update.map(\.name) == ["from-db-npx-hosts"])
        #expect(plan.delete.map(\.name) == ["gone-npx-hosts"])
        #expect(plan.conflicts.map(\.name) == ["third-npx-hosts"])
        #expect(plan.apply.map(\.name) == ["from-db-npx-hosts", "to-db-npx-hosts"], "the conflict is left out of what is applied")
        #expect(plan.conflictWarnings.count == 1 && plan.conflictWarnings[0].location == "shop/third-npx-hosts")
        #expect(plan.hasChanges)
        // The squatter is an ordinary policy: it gets no companion (it admits all) and is never listed as stale.
        #expect(!plan.delete.contains { $0.name == "third-npx-hosts" })
    }
}
