import ExtendCore

extension InventoryDecoder {
    static let hostKeys = ["name", "namespace", "labels", "addresses", "ports", "logDrops", "persist", "enforcement", "management", "ssh"]
    static let portKeys = ["name", "port", "protocol"]

    /// One `hosts[]` entry with the defaults applied; nil (after reporting) when invalid.
    mutating func host(_ c: Cursor, defaults: HostSettings) -> LegacyHost? {
        let before = problems.errorCount
        guard let f = c.fields(allowed: Self.hostKeys) else { return nil }
        let name = hostName(f, at: c)
        let namespace = required(f, "namespace", "every host sits in a namespace (an inventory one or a cluster one)")?
            .dnsLabel("namespace")
        let labels = f["labels"].map { $0.labels() } ?? [:]
        let addresses = self.addresses(f, host: name.map { "host \"\($0)\"" } ?? c.path, at: c)
        let ports = f["ports"].flatMap { namedPorts($0) } ?? []
        var settings = defaults
        settings.apply(f, sshKeys: HostSettings.hostSSHKeys)
        guard problems.errorCount == before, let name, let namespace, let labels, let addresses else {
            return nil
        }
        return LegacyHost(name: name, namespace: namespace, labels: labels, addresses: addresses, ports: ports,
                          ssh: settings.ssh, management: settings.management, logDrops: settings.logDrops,
                          persist: settings.persist, enforcement: settings.enforcement, origin: c.lineLocation)
    }

    private mutating func hostName(_ f: Fields, at c: Cursor) -> String? {
        guard let nameCursor = required(f, "name", "every host needs a unique name"),
              let name = nameCursor.dnsLabel("host name") else { return nil }
        if let first = hostAt[name] {
            nameCursor.error("host name \"\(name)\" is already used by the host at \(first); host names must be unique")
            return nil
        }
        hostAt[name] = c.lineLocation
        return name
    }

    private mutating func addresses(_ f: Fields, host: String, at c: Cursor) -> [IPAddress]? {
        guard let listCursor = required(f, "addresses", "list every address of the host, e.g. [198.18.1.10]"),
              let list = listCursor.list() else { return nil }
        if list.isEmpty {
            listCursor.error("a host needs at least one address")
            return nil
        }
        var out: [IPAddress] = []
        for item in list {
            guard let a = item.ipAddress() else { continue }
            if out.contains(a) {
                item.error("address \(a) is listed twice for this host")
                continue
            }
            if let owner = addressOwner[a] {
                item.error("address \(a) is already used by \(owner.host) (\(owner.at)); an address belongs to one host")
                continue
            }
            addressOwner[a] = (host, c.lineLocation)
            out.append(a)
        }
        return out
    }

    private func namedPorts(_ c: Cursor) -> [NamedPort]? {
        guard let list = c.list() else { return nil }
        var out: [NamedPort] = []
        var firstAt: [String: String] = [:]
        for item in list {
            guard let f = item.fields(allowed: Self.portKeys) else { continue }
            let nameCursor = required(f, "name", "a named port needs a name, e.g. postgres")
            let name = nameCursor?.portName()
            let port = required(f, "port", "a named port needs a number, e.g. 5432")?.portNumber()
            let proto = f["protocol"].map { $0.proto() } ?? .tcp
            guard let nameCursor, let name, let port, let proto else { continue }
            if let first = firstAt[name] {
                nameCursor.error("port name \"\(name)\" is used twice on this host (first at \(first)); each name must be unique")
                continue
            }
            firstAt[name] = nameCursor.location
            out.append(NamedPort(name: name, port: port, proto: proto))
        }
        return out
    }
}
