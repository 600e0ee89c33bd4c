/// A host `extend apply` has worked on, as the managed hosts record keeps it:
/// enough to reach it again once it has left the inventory (its SSH settings,
/// never a secret) and to recognise it (its addresses).
public struct ManagedHost: Hashable, Sendable {
    public var name: String
    /// Sorted, de-duplicated.
    public var addresses: [IPAddress]
    /// How it was reached; `address` is always set: the address connected to.
    public var ssh: SSHSettings

    public init(name: String, addresses: [IPAddress], ssh: SSHSettings) {
        self.name = name
        self.addresses = Array(Set(addresses)).sorted()
        self.ssh = ssh
    }

    /// The inventory host as the record keeps it, with its connect address written out.
    public init(_ host: LegacyHost) {
        var ssh = host.ssh
        ssh.address = host.connectAddress
        self.init(name: host.name, addresses: host.addresses, ssh: ssh)
    }

    public var connectAddress: String { ssh.address ?? addresses.first.map(\.description) ?? name }

    /// `address:port`, as messages show it (IPv6 literals in brackets).
    public var addressAndPort: String { Self.endpoint(connectAddress, ssh.port) }

    static func endpoint(_ address: String, _ port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
