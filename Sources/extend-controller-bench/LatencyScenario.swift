import Foundation
import LabSupport

/// The cluster and inventory of the latency row: every lab host is an
/// inventory host (namespace `lab`, `role: db`) selected by one policy that
/// admits the `app: api` pods of namespace `apps` on TCP 5432. A few pods are
/// always `api` (so the peer's set never empties and keeps its name); the
/// others flip between `web` and `api`, one change at a time. Pod addresses
/// are unused addresses of the lab's /24 (.200 and up): they carry no
/// traffic, they only have to land in the hosts' sets.
struct LatencyScenario {
    static let hostNamespace = "lab"
    static let podNamespace = "apps"
    static let policyName = "db-from-api"

    let lab: Lab
    /// Pods that stay in the peer.
    let steady: [(name: String, ip: String)]
    /// Pods whose label flips, in the order changes take them.
    let flipping: [(name: String, ip: String)]

    init(lab: Lab, steadyCount: Int = 4, flippingCount: Int = 20) {
        self.lab = lab
        let prefix = String(lab.subnet.dropLast(".0/24".count))
        steady = (0..<steadyCount).map { ("api-steady-\($0)", "\(prefix).\(200 + $0)") }
        flipping = (0..<flippingCount).map { ("flip-\($0)", "\(prefix).\(210 + $0)") }
    }

    /// Namespaces, the policy and the pods (running, with their addresses) as one JSON List for `--load`.
    func clusterJSON() throws -> Data {
        func pod(_ name: String, _ ip: String, app: String) -> [String: Any] {
            ["apiVersion": "v1", "kind": "Pod",
             "metadata": ["name": name, "namespace": Self.podNamespace, "labels": ["app": app]],
             "spec": ["containers": [["name": "c", "image": "x"]]],
             "status": ["phase": "Running", "podIP": ip, "podIPs": [["ip": ip]]]]
        }
        var items: [Any] = [
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": Self.hostNamespace]],
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": Self.podNamespace, "labels": ["env": "apps"]]],
            ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": ["name": Self.policyName, "namespace": Self.hostNamespace],
             "spec": ["podSelector": ["matchLabels": ["role": "db"]], "policyTypes": ["Ingress"],
                      "ingress": [["from": [["namespaceSelector": ["matchLabels": ["env": "apps"]],
                                             "podSelector": ["matchLabels": ["app": "api"]]]],
                                   "ports": [["port": 5432, "protocol": "TCP"]]]]]],
        ]
        items += steady.map { pod($0.name, $0.ip, app: "api") }
        items += flipping.map { pod($0.name, $0.ip, app: "web") }
        return try JSONSerialization.data(withJSONObject: ["apiVersion": "v1", "kind": "List", "items": items], options: [.sortedKeys])
    }

    /// Every lab host, as the test inventories write them; returns the file's path.
    func writeInventory() throws -> String {
        try writeInventory(ssh: """
                user: \(lab.user)
                identityFile: \(lab.clientKey.path)
            """, name: "controller-bench-inventory.yaml")
    }

    /// Puts every host in ssh.mode: restricted as an operator would: a
    /// non-root account of the lab's on each (`Lab.addAccount`, installable),
    /// one key for all, installed by `extend host-bootstrap --install` over
    /// the root access of `rootInventory`. Returns the restricted inventory's path.
    func restrict(extend: String, rootInventory: String) throws -> String {
        let user = "netpol-extend"
        for host in lab.hosts { try lab.addAccount(user, sudoers: "", installable: true, on: host) }
        let key = try lab.makeKey(named: "restricted", authorize: false)
        let r = try Lab.run([extend, "host-bootstrap", "--inventory", rootInventory, "--restricted-user", user,
                             "--public-key", key.path + ".pub", "--identity", key.path, "--install"])
        guard r.succeeded else { throw BenchError("extend host-bootstrap --install failed (exit \(r.status)):\n\(r.stdoutText)\n\(r.stderrText)") }
        return try writeInventory(ssh: """
                user: \(user)
                identityFile: \(key.path)
                mode: restricted
            """, name: "controller-bench-inventory-restricted.yaml")
    }

    private func writeInventory(ssh: String, name: String) throws -> String {
        let port = lab.hosts.first?.port ?? 22
        var text = """
            apiVersion: netpol-extend/v1
            kind: Inventory
            defaults:
              ssh:
            \(ssh)
                port: \(port)
                knownHostsFile: \(lab.knownHostsPath)
                connectTimeoutSeconds: 5
              management: [\(lab.managementAddress)/32]
            hosts:

            """
        for host in lab.hosts {
            text += "  - {name: \(host.name), namespace: \(Self.hostNamespace), labels: {role: db}, addresses: [\(host.address)]}\n"
        }
        let path = lab.path(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw BenchError("cannot write \(path)") }
        return path
    }

    /// The set of ours on `host` that holds `address` (the peer's atom: the `api` pods of `apps`).
    func setHolding(_ address: String, on host: LabHost) throws -> String {
        let saved = try lab.exec(in: host, ["ipset", "save"])
        guard saved.succeeded else { throw BenchError("ipset save on \(host.name): \(saved.stderrText)") }
        for line in saved.stdoutText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, fields[0] == "add", fields[1].hasPrefix("npx-") else { continue }
            if fields[2] == address || fields[2] == address + "/32" { return String(fields[1]) }
        }
        throw BenchError("no set of ours on \(host.name) holds \(address):\n\(saved.stdoutText)")
    }
}
