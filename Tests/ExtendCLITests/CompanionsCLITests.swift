import Foundation
import KubeSupport
import Testing

/// `extend render --companions [--prune]` and `extend diff --companions` on
/// the bundled example, through the built binary; and the companions through
/// the stand-in API server's create and list.
@Suite struct CompanionsCLITests {
    static let render = ["render", "--companions"] + CLI.example

    /// The example: `billing-db` lets the database reach backup-01 (legacy
    /// namespace) on rsync, 873 on that host; `namespace-isolation-live`
    /// admits everything in `live`, billing-db-01 and reporting-01 included.
    /// `elb-isolation-live` admits every peer: nothing to add.
    static let exampleYAML = """
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: billing-db-npx-hosts
          namespace: live
          labels:
            app.kubernetes.io/managed-by: netpol-extend
            netpol-extend.io/companion: "true"
          annotations:
            netpol-extend.io/source-policy: billing-db
        spec:
          podSelector:
            matchLabels:
              app: billing-db
          policyTypes:
          - Ingress
          - Egress
          egress:
          - to:
            - ipBlock:
                cidr: 198.18.2.10/32
            ports:
            - protocol: TCP
              port: 873
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: namespace-isolation-live-npx-hosts
          namespace: live
          labels:
            app.kubernetes.io/managed-by: netpol-extend
            netpol-extend.io/companion: "true"
          annotations:
            netpol-extend.io/source-policy: namespace-isolation-live
        spec:
          podSelector: {}
          policyTypes:
          - Ingress
          ingress:
          - from:
            - ipBlock:
                cidr: 198.18.1.10/32
            - ipBlock:
                cidr: 198.18.1.11/32
            - ipBlock:
                cidr: 2001:db8:1::10/128
        
        """

    @Test("render --companions prints the example's two companions, ready for kubectl apply -f -")
    func exampleYAML() throws {
        let r = try CLI.run(Self.render)
        #expect(r.exited(0), "\(r)")
        #expect(r.stdoutText == Self.exampleYAML, "\(r)")
        #expect(!r.stdoutText.contains("# stale"), "no stale section without --prune")
    }

    @Test("--output json is a List of the same objects")
    func exampleJSON() throws {
        let r = try CLI.run(Self.render + ["--output", "json"])
        #expect(r.exited(0), "\(r)")
        let doc = try r.json()
        #expect(doc["kind"] as? String == "List" && doc["apiVersion"] as? String == "v1")
        #expect(doc["stale"] == nil, "stale only with --prune")
        let items = try #require(doc["items"] as? [[String: Any]], "\(r)")
        #expect(items.map { ($0["metadata"] as? [String: Any])?["name"] as? String } == ["billing-db-npx-hosts", "namespace-isolation-live-npx-hosts"])
        for item in items {
            #expect(item["apiVersion"] as? String == "networking.k8s.io/v1" && item["kind"] as? String == "NetworkPolicy")
            let labels = (item["metadata"] as? [String: Any])?["labels"] as? [String: String]
            #expect(labels == ["app.kubernetes.io/managed-by": "netpol-extend", "netpol-extend.io/companion": "true"])
        }
        let egress = ((items[0]["spec"] as? [String: Any])?["egress"] as? [[String: Any]])?.first
        #expect((egress?["ports"] as? [[String: Any]])?.first?["port"] as? Int == 873, "rsync resolved on backup-01")
    }

    /// The cluster input as it is after the companions were applied once and things moved on.
    static let clusterCompanions = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: namespace-isolation-live-npx-hosts
          namespace: live
          labels: {app.kubernetes.io/managed-by: netpol-extend, netpol-extend.io/companion: "true"}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
          ingress:
          - from:
            - ipBlock: {cidr: 198.18.1.10/32}
            - ipBlock: {cidr: 198.18.1.11/32}
            - ipBlock: {cidr: "2001:db8:1::10/128"}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: retired-npx-hosts
          namespace: staging
          labels: {app.kubernetes.io/managed-by: netpol-extend, netpol-extend.io/companion: "true"}
        spec:
          podSelector: {}
          ingress:
          - from:
            - ipBlock: {cidr: 198.18.9.9/32}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: not-ours-npx-hosts
          namespace: staging
          labels: {netpol-extend.io/companion: "true"}
        spec:
          podSelector: {}
        """

    static func withClusterCompanions(extra: String = "", _ body: ([String]) throws -> Void) throws {
        let files = try TempFiles()
        let path = try files.write("companions.yaml", Array((clusterCompanions + extra).utf8))
        try body(["--inventory", CLI.exampleInventory, "--manifests", CLI.exampleCluster, "--manifests", path])
    }

    @Test("--prune lists, after the companions, the ones of ours that are no longer wanted, as kubectl delete lines")
    func prune() throws {
        try Self.withClusterCompanions { input in
            let r = try CLI.run(["render", "--companions", "--prune"] + input)
            #expect(r.exited(0), "\(r)")
            // Only retired-npx-hosts: the other is still wanted, the third lacks our managed-by label.
            #expect(r.stdoutText == Self.exampleYAML + """
                # stale: companions of netpol-extend in the cluster that no policy wants any more; delete them:
                # kubectl delete networkpolicy -n staging retired-npx-hosts

                """, "\(r)")
            #expect(r.stderrText.contains("1 stale companion(s)"), "\(r)")

            let json = try CLI.run(["render", "--companions", "--prune", "--output", "json"] + input)
            #expect(json.exited(0), "\(json)")
            let stale = try #require(try json.json()["stale"] as? [[String: String]], "\(json)")
            #expect(stale == [["namespace": "staging", "name": "retired-npx-hosts",
                               "command": "kubectl delete networkpolicy -n staging retired-npx-hosts"]])

            // Companions in the input change no host's rules.
            let withThem = try CLI.run(["render"] + input), without = try CLI.run(["render"] + CLI.example)
            #expect(withThem.exited(0) && withThem.stdout == without.stdout, "\(withThem)")
        }
    }

    @Test("a companion's name held by a policy that is not ours: left out, with a warning")
    func nameTaken() throws {
        let squatter = """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: billing-db-npx-hosts, namespace: live}
            spec: {podSelector: {matchLabels: {app: nothing}}}
            """
        try Self.withClusterCompanions(extra: squatter) { input in
            let r = try CLI.run(["render", "--companions"] + input)
            #expect(r.exited(0), "\(r)")
            #expect(!r.stdoutText.contains("name: billing-db-npx-hosts"), "\(r)")
            #expect(r.stdoutText.contains("name: namespace-isolation-live-npx-hosts"), "\(r)")
            #expect(r.stderrText.contains("live/billing-db-npx-hosts: warning: NetworkPolicy live/billing-db-npx-hosts exists without the label netpol-extend.io/companion=true"), "\(r)")
        }
    }

    @Test("flags that do not go together", arguments: [
        (["render", "--prune"], "--prune goes with --companions"),
        (["render", "--companions", "--host", "billing-db-01"], "--host does not go with --companions"),
    ])
    func badFlags(_ args: [String], _ message: String) throws {
        let r = try CLI.run(args + CLI.example)
        #expect(r.exited(UsageCLITests.usageExitCode), "\(r)")
        #expect(r.stderrText.contains(message), "\(r)")
        #expect(r.stdout.isEmpty)
    }

    @Test("diff --companions shows the companions to create and delete beside the hosts (which cannot be reached here)")
    func diff() throws {
        let files = try TempFiles()
        // The example's hosts with a known_hosts file that does not exist: each fails before any SSH.
        let example = try String(contentsOfFile: CLI.exampleInventory, encoding: .utf8)
        let inventory = try files.write("inventory.yaml", Array(example.replacingOccurrences(
            of: "knownHostsFile: ~/.ssh/known_hosts", with: "knownHostsFile: \(files.missing("known_hosts"))").utf8))
        let cluster = try files.write("companions.yaml", Array(Self.clusterCompanions.utf8))
        let input = ["--inventory", inventory, "--manifests", CLI.exampleCluster, "--manifests", cluster,
                     "--state", files.missing("state.json")]
        let r = try CLI.run(["diff", "--companions"] + input)
        #expect(r.exited(1), "the hosts fail\n\(r)")
        #expect(r.stdoutText.contains("""
            companion NetworkPolicies (wanted against the cluster input):
            + live/billing-db-npx-hosts  create (companion of billing-db)
            - staging/retired-npx-hosts  delete (stale: no longer wanted)
            1 to create, 0 to update, 1 to delete, 1 unchanged

            """), "\(r)")
        let plain = try CLI.run(["diff"] + input)
        #expect(!plain.stdoutText.contains("companion"), "only with --companions\n\(plain)")

        let json = try CLI.run(["diff", "--companions", "--output", "json"] + input)
        let companions = try #require(try json.json()["companions"] as? [String: [String]], "\(json)")
        #expect(companions == ["create": ["live/billing-db-npx-hosts"], "update": [], "delete": ["staging/retired-npx-hosts"],
                               "unchanged": ["live/namespace-isolation-live-npx-hosts"], "conflicts": []])
    }

    @Test("the rendered companions are accepted by the API server's create, read back unchanged, and then in sync")
    func throughTheAPIServer() async throws {
        try await FakeAPIServer.with(["--no-default-namespaces"], loading: try ExampleCluster.jsonList()) { server in
            let inventory = ["--inventory", CLI.exampleInventory, "--kubeconfig", server.kubeconfig]
            let r = try CLI.run(["render", "--companions", "--output", "json"] + inventory)
            #expect(r.exited(0), "\(r)")
            let items = try #require(try r.json()["items"] as? [[String: Any]], "\(r)")
            try #require(items.count == 2)
            for item in items {
                let meta = try #require(item["metadata"] as? [String: Any])
                let path = "/apis/networking.k8s.io/v1/namespaces/\(meta["namespace"] as? String ?? "")/networkpolicies"
                try server.create(path, object: item)
                let back = try server.send("GET", path + "/" + (meta["name"] as? String ?? ""))
                #expect(NSDictionary(dictionary: back["spec"] as? [String: Any] ?? [:]).isEqual(to: item["spec"] as? [String: Any] ?? [:]),
                        "spec read back differs: \(back)")
                let backMeta = try #require(back["metadata"] as? [String: Any])
                #expect(backMeta["labels"] as? [String: String] == meta["labels"] as? [String: String])
                #expect(backMeta["annotations"] as? [String: String] == meta["annotations"] as? [String: String])
            }
            // Listed from the API, they are ours, wanted as they are: the same output, nothing stale, no host rule changed.
            // (From the API the sources have uids, which the companions carry for the controller's ownerReference.)
            let again = try CLI.run(["render", "--companions", "--prune"] + inventory)
            let lines = again.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.filter { $0.hasPrefix("    netpol-extend.io/source-uid: ") }.count == 2, "\(again)")
            #expect(again.exited(0) && lines.filter { !$0.contains("source-uid") }.joined(separator: "\n") == Self.exampleYAML, "\(again)")
            let hosts = try CLI.run(["render"] + inventory), files = try CLI.run(["render"] + CLI.example)
            #expect(hosts.exited(0) && hosts.stdout == files.stdout, "\(hosts)")
        }
    }
}
