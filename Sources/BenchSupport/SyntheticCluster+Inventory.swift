/// `inventory.yaml` (spec/inventory.md): the inventory-only namespaces with
/// their labels, defaults, and one entry per host in flow style.
extension SyntheticCluster {
    /// - Parameter enforcement: `defaults.enforcement` (`audit`), or nil for the default (enforce).
    public func inventoryYAML(enforcement: String? = nil) -> String {
        var out = """
            apiVersion: netpol-extend/v1
            kind: Inventory
            namespaces:

            """
        for ns in inventoryNamespaces {
            out += "  - name: \(ns.name)\n    labels: \(Self.flow(ns.labels))\n"
        }
        out += """
            defaults:
              ssh:
                user: root
                port: 22
                identityFile: "~/.ssh/id_ed25519"
                knownHostsFile: "~/.ssh/known_hosts"
              management: [198.18.0.1/32]

            """
        if let enforcement { out += "  enforcement: \(enforcement)\n" }
        out += """
            hosts:

            """
        if hosts.isEmpty { out += "  []\n" }
        for host in hosts {
            let addresses = host.addresses.map { "\"\($0)\"" }.joined(separator: ", ")
            let ports = host.ports.map { "{name: \($0.name), port: \($0.port), protocol: \($0.proto)}" }
                .joined(separator: ", ")
            out += "  - name: \(host.name)\n    namespace: \(host.namespace)\n    labels: \(Self.flow(host.labels))\n"
            out += "    addresses: [\(addresses)]\n    ports: [\(ports)]\n"
            if host.logDrops { out += "    logDrops: true\n" }
        }
        return out
    }

    static func flow(_ labels: [Label]) -> String {
        "{" + labels.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
