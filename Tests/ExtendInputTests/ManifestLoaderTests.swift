import ExtendCore
import ExtendInput
import Foundation
import Testing

@Suite struct ManifestLoaderTests {
    /// As `kubectl get namespaces,pods,networkpolicies -A -o yaml` prints it.
    static let kubectlList = """
    apiVersion: v1
    items:
    - apiVersion: v1
      kind: Namespace
      metadata:
        labels:
          kubernetes.io/metadata.name: live
          name: live
        name: live
      spec:
        finalizers: [kubernetes]
      status: {phase: Active}
    - apiVersion: v1
      kind: Pod
      metadata:
        annotations: {note: "anything"}
        labels: {app: web, pod-template-hash: 5d9c}
        name: web-5d9c-abcde
        namespace: live
        ownerReferences: [{kind: ReplicaSet, name: web-5d9c}]
      spec:
        containers:
        - image: nginx
          name: web
          ports:
          - containerPort: 8080
            name: http
            protocol: TCP
          - containerPort: 9090
            protocol: TCP
          - containerPort: 5353
            name: dns
            protocol: UDP
        - image: sidecar
          name: metrics
          ports:
          - {containerPort: 9100, name: metrics}
      status:
        phase: Running
        podIP: 10.244.1.5
        podIPs:
        - ip: 10.244.1.5
        - ip: fd00:10:244:1::5
    - apiVersion: v1
      kind: Pod
      metadata: {name: old, namespace: live}
      spec: {containers: [{name: c, image: x}]}
      status: {phase: Succeeded, podIP: 10.244.1.6}
    - apiVersion: v1
      kind: Pod
      metadata: {name: node-agent, namespace: kube-system}
      spec: {hostNetwork: true, containers: [{name: c, image: x}]}
      status: {phase: Running, podIP: 192.168.0.10, podIPs: [{ip: 192.168.0.10}]}
    - apiVersion: v1
      kind: Pod
      metadata: {name: pending, namespace: live}
      spec: {containers: [{name: c, image: x}]}
      status: {phase: Pending}
    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: allow-web, namespace: live, generation: 1}
      spec:
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Ingress]
        ingress:
        - ports: [{port: http}]
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: live}
      spec: {ports: [{port: 80}]}
    kind: List
    metadata:
      resourceVersion: ""
    """

    @Test func readsAKubectlList() throws {
        let load = ManifestLoader.parse(Self.kubectlList, path: "c.yaml")
        let cluster = try load.get()
        #expect(load.diagnostics.isEmpty)
        #expect(cluster.namespaces == [
            Namespace(name: "live", labels: ["name": "live"]),
            Namespace(name: "kube-system", implied: true),
        ])
        #expect(cluster.namespaces.allSatisfy { !$0.virtual })
        #expect(cluster.namespaces.map(\.implied) == [false, true])
        #expect(cluster.pods.map(\.ref) == ["live/web-5d9c-abcde", "live/old", "kube-system/node-agent", "live/pending"])

        let web = cluster.pods[0]
        #expect(web.labels == ["app": "web", "pod-template-hash": "5d9c"])
        #expect(web.ips == [IPAddress("10.244.1.5"), IPAddress("fd00:10:244:1::5")].compactMap { $0 })
        #expect(web.phase == .running)
        #expect(web.hostNetwork == false)
        #expect(web.containerPorts == [
            NamedPort(name: "http", port: 8080, proto: .tcp),
            NamedPort(name: "dns", port: 5353, proto: .udp),
            NamedPort(name: "metrics", port: 9100, proto: .tcp),
        ])
        #expect(web.origin == "c.yaml:13")
        #expect(web.isSelectable)

        #expect(cluster.pods[1].phase == .succeeded)
        #expect(cluster.pods[1].ips == [IPAddress("10.244.1.6")].compactMap { $0 })  // podIP fallback
        #expect(!cluster.pods[1].isSelectable)
        #expect(cluster.pods[2].hostNetwork)
        #expect(!cluster.pods[2].isSelectable)
        #expect(cluster.pods[3].phase == .pending)
        #expect(cluster.pods[3].ips.isEmpty)

        #expect(cluster.policies.count == 1)
        #expect(cluster.policies[0].id == "live/allow-web")
        #expect(cluster.policies[0].ingress == [.init(peers: [], ports: [.init(proto: .tcp, port: .named("http"))])])
        #expect(cluster.policies[0].origin == "c.yaml:59")

        #expect(load.notes == [
            "c.yaml:67: skipped Service live/web",
            "c.yaml:49: namespace kube-system has no Namespace object in the manifests; assuming it exists with only the label kubernetes.io/metadata.name=kube-system",
        ])
    }

    @Test func readsMultiDocumentYAMLAndTypedLists() throws {
        let text = """
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: a, labels: {team: x}}
            ---
            # a comment-only document is nothing
            ---
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: p1, namespace: a}
              status: {podIP: 10.0.0.1}
            - metadata: {name: p2, namespace: a}
              status: {podIP: ""}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicyList
            items:
            - metadata: {name: deny, namespace: a}
              spec: {podSelector: {}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            """
        let load = ManifestLoader.parse(text, path: "m.yaml")
        let cluster = try load.get()
        #expect(cluster.namespaces == [Namespace(name: "a", labels: ["team": "x"])])
        #expect(cluster.pods.map(\.name) == ["p1", "p2"])
        #expect(cluster.pods[0].ips == [IPAddress("10.0.0.1")].compactMap { $0 })
        #expect(cluster.pods[1].ips.isEmpty)
        #expect(cluster.pods[0].phase == .running)  // no phase written: taken as running
        #expect(cluster.policies.map(\.id) == ["a/deny"])
        #expect(cluster.policies[0].ingress.isEmpty)
        #expect(cluster.policies[0].policyTypes == [.ingress])
        #expect(load.notes == ["m.yaml:22: skipped ClusterRole reader"])
    }

    @Test func readsJSON() throws {
        let json = """
            {
              "apiVersion": "v1",
              "kind": "List",
              "items": [
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "p", "namespace": "default", "labels": {"app": "db"}},
                 "spec": {"hostNetwork": false, "containers": [{"name": "c", "ports": [{"name": "pg", "containerPort": 5432}]}]},
                 "status": {"phase": "Running", "podIPs": [{"ip": "10.1.0.4"}]}},
                {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": "np", "namespace": "default"},
                 "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                          "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                                      "ports": [{"port": 53, "protocol": "UDP"}]}]}}
              ]
            }
            """
        let tmp = try TempFiles()
        let path = try tmp.write("cluster.json", json)
        let load = ManifestLoader.load(paths: [path])
        let cluster = try load.get()
        #expect(cluster.pods.first?.containerPorts == [NamedPort(name: "pg", port: 5432, proto: .tcp)])
        #expect(cluster.pods.first?.origin == "\(path):5")
        let policy = try #require(cluster.policies.first)
        #expect(policy.policyTypes == [.ingress, .egress])
        #expect(policy.egress == [NetworkPolicy.Rule(
            peers: [.ipBlock(.init(cidr: try #require(CIDR("10.0.0.0/8")), except: [try #require(CIDR("10.1.0.0/16"))]))],
            ports: [.init(proto: .udp, port: .number(53))])])
        #expect(policy.origin == "\(path):9")
        #expect(load.notes == ["\(path):5: namespace default has no Namespace object in the manifests; assuming it exists with only the label kubernetes.io/metadata.name=default"])
    }

    @Test func readsAFolderInPathOrder() throws {
        let tmp = try TempFiles()
        try tmp.write("b/20-pod.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p2, namespace: ns}\n")
        try tmp.write("b/10-pod.json", #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "namespace": "ns"}}"#)
        try tmp.write("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n")
        try tmp.write("c/d/e.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p3, namespace: ns}\n")
        try tmp.write("notes.txt", "not a manifest: [")
        try tmp.write(".hidden.yaml", "not: [valid")
        try tmp.write("..data/x.yaml", "not: [valid")
        let load = ManifestLoader.load(paths: [tmp.root])
        let cluster = try load.get()
        #expect(cluster.namespaces.map(\.name) == ["ns"])
        #expect(cluster.pods.map(\.name) == ["p1", "p2", "p3"])
        #expect(cluster.pods.map { $0.origin ?? "" } == [
            "\(tmp.root)/b/10-pod.json:1", "\(tmp.root)/b/20-pod.yml:1", "\(tmp.root)/c/d/e.yaml:1",
        ])
        #expect(load.notes.isEmpty)

        // Several paths, a file among them, load in the order given.
        let again = ManifestLoader.load(paths: [tmp.root + "/c", tmp.root + "/a.yaml"])
        #expect(try again.get().pods.map(\.name) == ["p3"])
        #expect(try again.get().namespaces.map(\.name) == ["ns"])
    }

    @Test func missingPathsAndEmptyFolders() throws {
        let tmp = try TempFiles()
        try tmp.write("empty/readme.md", "hi")
        let load = ManifestLoader.load(paths: [tmp.root + "/nope.yaml", tmp.root + "/empty"])
        #expect(load.diagnostics.map(\.description) == [
            "\(tmp.root)/nope.yaml: error: no such file or directory",
            "\(tmp.root)/empty: warning: folder holds no .yaml, .yml or .json files",
        ])
    }

    @Test func laterDefinitionReplacesEarlierOneWithAWarning() throws {
        let tmp = try TempFiles()
        let snapshot = try tmp.write("snapshot.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: live}
            spec: {podSelector: {}}
            """)
        let change = try tmp.write("change.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: live}
            spec: {podSelector: {}, ingress: [{}]}
            """)
        let load = ManifestLoader.load(paths: [snapshot, change])
        let cluster = try load.get()
        #expect(cluster.policies.count == 1)
        #expect(cluster.policies[0].ingress == [NetworkPolicy.Rule()])
        #expect(load.diagnostics.map(\.description) == [
            "\(change):1:1: warning: NetworkPolicy live/np is also defined at \(snapshot):1; this later definition replaces it",
        ])
    }

    static let objectErrors: [(String, String)] = [
        ("apiVersion: v1\nkind: Pod\n",
         "m.yaml:1:1: error: missing metadata: every object needs metadata.name"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {namespace: a}\n",
         "m.yaml:3:11: error: metadata: missing name: every object needs metadata.name"),
        ("kind: Pod\nmetadata: {name: p}\n",
         "m.yaml:1:1: error: missing apiVersion: a Pod needs apiVersion: v1"),
        ("apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\n",
         #"m.yaml:1:13: error: apiVersion: NetworkPolicy with apiVersion "extensions/v1beta1" is not supported; expected apiVersion: networking.k8s.io/v1"#),
        ("apiVersion: v1\nmetadata: {name: p}\n",
         "m.yaml:1:1: error: missing kind: every object needs kind and apiVersion (e.g. kind: NetworkPolicy, apiVersion: networking.k8s.io/v1)"),
        ("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: p}\n",
         "m.yaml:4:3: error: items[0]: missing kind: every object needs kind and apiVersion (e.g. kind: NetworkPolicy, apiVersion: networking.k8s.io/v1)"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {podIP: 10.0.0.0/8}\n",
         #"m.yaml:4:17: error: status.podIP: "10.0.0.0/8" is a prefix; expected a single IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {podIPs: [{ip: nope}]}\n",
         #"m.yaml:4:24: error: status.podIPs[0].ip: "nope" is not an IP address; expected an IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Done}\n",
         #"m.yaml:4:17: error: status.phase: phase "Done" is not a pod phase; must be Pending, Running, Succeeded, Failed or Unknown"#),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: \"true\"}\n",
         #"m.yaml:4:21: error: spec.hostNetwork: expected true or false, got the string "true""#),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{ports: [{name: http, containerPort: \"80\"}]}]}\n",
         #"m.yaml:4:58: error: spec.containers[0].ports[0].containerPort: expected an integer, got the string "80"; write it without quotes: 80"#),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: [x]}}\n",
         "m.yaml:3:35: error: metadata.labels.app: expected a string, got a list"),
        ("apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n",
         #"m.yaml:3:11: error: metadata: namespace name "Bad" must be a DNS-1123 label"#),
    ]

    @Test(arguments: objectErrors)
    func objectError(_ text: String, _ expected: String) {
        let load = ManifestLoader.parse(text, path: "m.yaml")
        #expect(load.diagnostics.map(\.description) == [expected])
        #expect(load.cluster.pods.isEmpty && load.cluster.policies.isEmpty)
    }

    @Test func unknownFieldsOfObjectsAreIgnored() throws {
        let load = ManifestLoader.parse("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, uid: 1234, creationTimestamp: 2024-01-01T00:00:00Z, whatever: [1, 2]}
            spec: {nodeName: n1, containers: [{name: c, resources: {limits: {cpu: 1}}}], tolerations: []}
            status: {conditions: [{type: Ready, status: "True"}], hostIP: 192.168.0.1, podIP: 10.0.0.1}
            """, path: "m.yaml")
        #expect(try load.get().pods.first?.ips == [IPAddress("10.0.0.1")].compactMap { $0 })
        #expect(load.diagnostics.isEmpty)
    }
}
