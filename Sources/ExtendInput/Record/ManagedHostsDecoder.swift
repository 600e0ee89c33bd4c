import ExtendCore

/// One pass over a managed hosts record. Strict, as the inventory is: the
/// record says which machines apply may strip of our rules, so an unknown key,
/// a missing one or a wrong type is an error, never a guess.
struct ManagedHostsDecoder {
    static let topKeys = ["apiVersion", "kind", "hosts"]
    static let hostKeys = ["name", "addresses", "ssh"]
    static let sshKeys = ["address", "port", "user", "identityFile", "knownHostsFile", "sudo", "mode", "connectTimeoutSeconds"]

    var hostAt: [String: String] = [:]

    mutating func record(_ root: Cursor) -> ManagedHostsRecord? {
        guard let top = root.fields(allowed: Self.topKeys) else { return nil }
        expect(top, "apiVersion", ManagedHostsFile.apiVersion)
        expect(top, "kind", ManagedHostsFile.kind)
        guard let list = required(top, "hosts")?.list() else { return nil }
        return ManagedHostsRecord(hosts: list.compactMap { host($0) })
    }

    private func expect(_ top: Fields, _ key: String, _ wanted: String) {
        guard let c = required(top, key), let s = c.string() else { return }
        if s != wanted {
            c.error("must be \(wanted), not \(ScalarValue.quote(s)); is this the managed hosts record that extend apply writes?")
        }
    }

    private mutating func host(_ c: Cursor) -> ManagedHost? {
        guard let f = c.fields(allowed: Self.hostKeys) else { return nil }
        let nameCursor = required(f, "name")
        let name = nameCursor?.dnsLabel("host name")
        let addresses = required(f, "addresses")?.list()?.compactMap { $0.ipAddress() }
        let ssh = required(f, "ssh").flatMap { settings($0) }
        guard let nameCursor, let name, let addresses, let ssh else { return nil }
        if let first = hostAt[name] {
            nameCursor.error("host \"\(name)\" is recorded twice (first at \(first))")
            return nil
        }
        hostAt[name] = c.lineLocation
        return ManagedHost(name: name, addresses: addresses, ssh: ssh)
    }

    private func settings(_ c: Cursor) -> SSHSettings? {
        guard let f = c.fields(allowed: Self.sshKeys) else { return nil }
        var ssh = SSHSettings()
        let address = required(f, "address")?.nonEmptyString()
        let port = required(f, "port")?.portNumber()
        let user = required(f, "user")?.nonEmptyString()
        let identityFile = required(f, "identityFile")?.nonEmptyString()
        let knownHostsFile = required(f, "knownHostsFile")?.nonEmptyString()
        let sudo = required(f, "sudo")?.bool()
        let timeoutCursor = required(f, "connectTimeoutSeconds")
        let timeout = timeoutCursor?.int()
        guard let address, let port, let user, let identityFile, let knownHostsFile, let sudo, let timeout else { return nil }
        guard IPAddress(address) != nil || NetworkText.isHostname(address) else {
            f["address"]?.error("\(ScalarValue.quote(address)) must be an IP address or a host name")
            return nil
        }
        guard timeout > 0 else {
            timeoutCursor?.error("must be a positive number of seconds")
            return nil
        }
        ssh.address = address
        ssh.port = port
        ssh.user = user
        ssh.identityFile = identityFile
        ssh.knownHostsFile = knownHostsFile
        ssh.sudo = sudo
        // Records written before ssh.mode existed hold shell hosts.
        if let c = f["mode"] {
            guard let mode = c.sshMode() else { return nil }
            ssh.mode = mode
        }
        ssh.connectTimeoutSeconds = timeout
        return ssh
    }

    private func required(_ f: Fields, _ key: String) -> Cursor? {
        if let c = f[key] { return c }
        f.cursor.error("missing key \"\(key)\" (extend apply writes every key of the record)")
        return nil
    }
}
