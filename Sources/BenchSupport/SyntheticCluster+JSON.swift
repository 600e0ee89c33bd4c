/// `cluster.json`: the cluster as one `kind: List`, the way
/// `kubectl get namespaces,pods,networkpolicies -A -o json` prints it (keys
/// sorted), one item per line, with the fields a reader of such a file meets
/// (uids, owner references, container ports, podIPs) but not every field the
/// API server adds: 10,000 pods make about 7 MB, where the file was
/// 4.7 MB.
/// Policies of the inventory-only namespaces are in it too, with no
/// Namespace object: those namespaces exist only in the inventory.
extension SyntheticCluster {
    public func clusterJSON() -> [UInt8] {
        var stamp = Stamp(seed: scale.seed)
        var out: [UInt8] = []
        out.reserveCapacity(pods.count * 600 + policies.count * 700 + 4096)
        out.append(contentsOf: Array("{\"apiVersion\":\"v1\",\"items\":[\n".utf8))
        var first = true
        func item(_ value: JSONValue) {
            if !first { out.append(contentsOf: Array(",\n".utf8)) }
            first = false
            value.write(to: &out)
        }
        for ns in namespaces { item(Self.json(ns, &stamp)) }
        for pod in pods { item(Self.json(pod)) }
        for policy in policies { item(Self.json(policy, &stamp)) }
        out.append(contentsOf: Array("\n],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}\n".utf8))
        return out
    }

    /// creationTimestamp and resourceVersion (namespaces, policies), counting up from a fixed start.
    struct Stamp {
        var version: Int
        var seconds: Int
        init(seed: UInt64) {
            version = 100_000 + Int(seed % 1_000)
            seconds = 0
        }
        mutating func next() -> (time: String, version: String) {
            version += 7
            seconds += 13
            let day = 1 + (seconds / 86_400) % 28, h = (seconds / 3_600) % 24, m = (seconds / 60) % 60, s = seconds % 60
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return ("2025-03-\(two(day))T\(two(h)):\(two(m)):\(two(s))Z", String(version))
        }
    }

    static func labels(_ labels: [Label]) -> JSONValue {
        .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func json(_ ns: Namespace, _ stamp: inout Stamp) -> JSONValue {
        let (time, version) = stamp.next()
        return .object([
            ("apiVersion", .string("v1")),
            ("kind", .string("Namespace")),
            ("metadata", .object([
                ("creationTimestamp", .string(time)),
                ("labels", labels(ns.labels + [Label("kubernetes.io/metadata.name", ns.name)])),
                ("name", .string(ns.name)),
                ("resourceVersion", .string(version)),
                ("uid", .string(ns.uid)),
            ])),
            ("spec", .object([("finalizers", .array([.string("kubernetes")]))])),
            ("status", .object([("phase", .string("Active"))])),
        ])
    }

    static func json(_ pod: Pod) -> JSONValue {
        let ports: [JSONValue] = pod.ports.map {
            .object([("containerPort", .int($0.port)), ("name", .string($0.name)), ("protocol", .string($0.proto))])
        }
        return .object([
            ("apiVersion", .string("v1")),
            ("kind", .string("Pod")),
            ("metadata", .object([
                ("labels", labels(pod.labels)),
                ("name", .string(pod.name)),
                ("namespace", .string(pod.namespace)),
                ("ownerReferences", .array([.object([
                    ("apiVersion", .string("apps/v1")),
                    ("controller", .bool(true)),
                    ("kind", .string("ReplicaSet")),
                    ("name", .string(pod.owner)),
                    ("uid", .string(pod.ownerUID)),
                ])])),
                ("uid", .string(pod.uid)),
            ])),
            ("spec", .object([
                ("containers", .array([.object([
                    ("name", .string(pod.container)),
                    ("ports", .array(ports)),
                ])])),
            ])),
            ("status", .object([
                ("phase", .string("Running")),
                ("podIP", .string(pod.ips[0])),
                ("podIPs", .array(pod.ips.map { .object([("ip", .string($0))]) })),
            ])),
        ])
    }

    static func json(_ policy: SyntheticPolicy, _ stamp: inout Stamp) -> JSONValue {
        let version = stamp.next().version
        var types: [JSONValue] = []
        if policy.isolatesIngress { types.append(.string("Ingress")) }
        if policy.egress != nil { types.append(.string("Egress")) }
        var spec: [(String, JSONValue)] = []
        if let egress = policy.egress { spec.append(("egress", .array(egress.map { json($0, peersKey: "to") }))) }
        if !policy.ingress.isEmpty { spec.append(("ingress", .array(policy.ingress.map { json($0, peersKey: "from") }))) }
        spec.append(("podSelector", json(policy.podSelector)))
        spec.append(("policyTypes", .array(types)))
        return .object([
            ("apiVersion", .string("networking.k8s.io/v1")),
            ("kind", .string("NetworkPolicy")),
            ("metadata", .object([
                ("generation", .int(1)),
                ("name", .string(policy.name)),
                ("namespace", .string(policy.namespace)),
                ("resourceVersion", .string(version)),
                ("uid", .string(policy.uid)),
            ])),
            ("spec", .object(spec)),
        ])
    }

    static func json(_ rule: SyntheticPolicy.Rule, peersKey: String) -> JSONValue {
        var entries: [(String, JSONValue)] = []
        if !rule.peers.isEmpty, peersKey == "from" { entries.append(("from", .array(rule.peers.map(json)))) }
        if !rule.ports.isEmpty { entries.append(("ports", .array(rule.ports.map(json)))) }
        if !rule.peers.isEmpty, peersKey == "to" { entries.append(("to", .array(rule.peers.map(json)))) }
        return .object(entries)
    }

    static func json(_ peer: SyntheticPolicy.Peer) -> JSONValue {
        switch peer {
        case .pods(let s): return .object([("podSelector", json(s))])
        case .namespaces(let s): return .object([("namespaceSelector", json(s))])
        case .podsInNamespaces(let pods, let namespaces):
            return .object([("namespaceSelector", json(namespaces)), ("podSelector", json(pods))])
        case .ipBlock(let cidr, let except):
            var block: [(String, JSONValue)] = [("cidr", .string(cidr))]
            if !except.isEmpty { block.append(("except", .array(except.map(JSONValue.string)))) }
            return .object([("ipBlock", .object(block))])
        }
    }

    static func json(_ port: SyntheticPolicy.Port) -> JSONValue {
        var entries: [(String, JSONValue)] = []
        if let end = port.endPort { entries.append(("endPort", .int(end))) }
        switch port.port {
        case .number(let n)?: entries.append(("port", .int(n)))
        case .named(let name)?: entries.append(("port", .string(name)))
        case nil: break
        }
        entries.append(("protocol", .string(port.proto)))
        return .object(entries)
    }

    static func json(_ selector: SyntheticPolicy.Selector) -> JSONValue {
        switch selector {
        case .all: return .object([])
        case .labels(let l): return .object([("matchLabels", labels(l))])
        case .keyIn(let key, let values):
            return .object([("matchExpressions", .array([.object([
                ("key", .string(key)), ("operator", .string("In")), ("values", .array(values.map(JSONValue.string))),
            ])]))])
        }
    }
}
