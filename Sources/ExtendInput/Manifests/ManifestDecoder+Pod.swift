import ExtendCore

/// A Pod: what selectors see (labels), what sets hold (its addresses), and
/// the named ports policies may refer to.
extension ManifestDecoder {
    func pod(_ f: Fields, at c: Cursor) -> Pod? {
        let before = problems.errorCount
        let meta = ObjectMeta.read(f, namespaced: true)
        let spec = f["spec"]?.fields()
        let status = f["status"]?.fields()
        let hostNetwork = spec?["hostNetwork"].flatMap { $0.bool() } ?? false
        let ports = spec?["containers"].flatMap { namedContainerPorts($0) } ?? []
        let ips = podIPs(status)
        var phase = Pod.Phase.running
        if let p = status?["phase"], let text = p.string() {
            if let known = Pod.Phase(rawValue: text) { phase = known } else {
                p.error("phase \(ScalarValue.quote(text)) is not a pod phase; must be Pending, Running, Succeeded, Failed or Unknown")
            }
        }
        guard let meta, problems.errorCount == before else { return nil }
        return Pod(namespace: meta.namespace, name: meta.name, labels: meta.labels, ips: ips,
                   hostNetwork: hostNetwork, phase: phase, containerPorts: ports, origin: c.lineLocation)
    }

    /// status.podIPs (every family of a dual-stack pod), else status.podIP.
    private func podIPs(_ status: Fields?) -> [IPAddress] {
        guard let status else { return [] }
        if let list = status["podIPs"]?.list(), !list.isEmpty {
            return list.compactMap { item in
                guard let f = item.fields() else { return nil }
                guard let ip = f["ip"] else {
                    item.error("missing ip: each podIPs entry is {ip: ADDRESS}")
                    return nil
                }
                return ip.ipAddress()
            }
        }
        // An empty podIP is a pod not yet given one.
        guard let c = status["podIP"], c.scalar != .string("") else { return [] }
        return c.ipAddress().map { [$0] } ?? []
    }

    /// spec.containers[].ports[] that carry a name; unnamed ports cannot be
    /// named by a policy and so do not matter here.
    private func namedContainerPorts(_ containers: Cursor) -> [NamedPort]? {
        guard let list = containers.list() else { return nil }
        var out: [NamedPort] = []
        for container in list {
            guard let cf = container.fields(), let ports = cf["ports"]?.list() else { continue }
            for port in ports {
                guard let pf = port.fields() else { continue }
                let name = pf["name"].flatMap { $0.portName() }
                let number: Int?
                if let n = pf["containerPort"] { number = n.portNumber() } else {
                    port.error("missing containerPort: each container port needs a number")
                    number = nil
                }
                let proto = pf["protocol"].map { $0.proto() } ?? .tcp
                if let name, let number, let proto { out.append(NamedPort(name: name, port: number, proto: proto)) }
            }
        }
        return out
    }
}
