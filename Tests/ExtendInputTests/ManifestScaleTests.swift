import ExtendCore
import ExtendInput
import Testing

/// A generated cluster in one `kind: List`: everything is read, in order,
/// with no problem reported. (Release-build timing of the 10k-pod case is
/// measured outside the test suite; debug builds are too slow to time.)
@Suite struct ManifestScaleTests {
    static func cluster(pods: Int, policies: Int, namespaces: Int) -> String {
        var out = "apiVersion: v1\nkind: List\nitems:\n"
        for n in 0..<namespaces {
            out += "- {apiVersion: v1, kind: Namespace, metadata: {name: ns-\(n), labels: {team: t\(n % 7)}}}\n"
        }
        for i in 0..<pods {
            let ip = "10.\((i >> 16) & 255).\((i >> 8) & 255).\(i & 255)"
            out += """
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: app-\(i), namespace: ns-\(i % namespaces), labels: {app: app\(i % 50)}}
                  spec: {containers: [{name: main, ports: [{name: http, containerPort: 8080}]}]}
                  status: {phase: Running, podIP: \(ip), podIPs: [{ip: \(ip)}]}

                """
        }
        for p in 0..<policies {
            out += """
                - apiVersion: networking.k8s.io/v1
                  kind: NetworkPolicy
                  metadata: {name: pol-\(p), namespace: ns-\(p % namespaces)}
                  spec:
                    podSelector: {matchLabels: {app: app\(p % 50)}}
                    ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [t1]}]}}], ports: [{port: http}]}]
                    egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 53, protocol: UDP}]}]

                """
        }
        return out
    }

    @Test func readsAGeneratedCluster() throws {
        let load = ManifestLoader.parse(Self.cluster(pods: 1000, policies: 200, namespaces: 20), path: "big.yaml")
        let cluster = try load.get()
        #expect(load.diagnostics.isEmpty)
        #expect(cluster.namespaces.count == 20)
        #expect(cluster.pods.count == 1000)
        #expect(cluster.policies.count == 200)
        #expect(cluster.pods.last?.name == "app-999")
        #expect(cluster.policies.allSatisfy { $0.policyTypes == [.ingress, .egress] })
    }
}
