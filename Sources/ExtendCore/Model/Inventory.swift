/// The inventory of machines outside Kubernetes (spec/inventory.md), after
/// defaults are applied: every host carries its complete settings.
public struct Inventory: Hashable, Sendable {
    public var namespaces: [Namespace]
    public var hosts: [LegacyHost]
    /// The file it came from, for messages.
    public var source: String

    public init(namespaces: [Namespace] = [], hosts: [LegacyHost] = [], source: String = "<inventory>") {
        self.namespaces = namespaces
        self.hosts = hosts
        self.source = source
    }

    public func host(named name: String) -> LegacyHost? { hosts.first { $0.name == name } }
}

public struct SSHSettings: Hashable, Sendable {
    public var user: String = "root"
    public var port: Int = 22
    public var identityFile: String = "~/.ssh/id_ed25519"
    public var knownHostsFile: String = "~/.ssh/known_hosts"
    public var sudo: Bool = false
    /// How the host lets us in: a shell, or only the entry point's requests.
    public var mode: SSHMode = .shell
    public var connectTimeoutSeconds: Int = 10
    /// Where to connect; nil means the host's first address.
    public var address: String?
    public init() {}
}

/// `ssh.mode`: what the host lets the key do.
public enum SSHMode: String, Hashable, Sendable, CaseIterable {
    /// A shell (root, or a sudoer): extend sends its fixed scripts as `sh -c '…'`.
    case shell
    /// The key runs only the host's entry point (`netpol-extend-host`), and
    /// extend sends only its request words: `observe` or `session`.
    case restricted
}

public struct LegacyHost: Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var labels: Labels
    public var addresses: [IPAddress]
    public var ports: [NamedPort]
    public var ssh: SSHSettings
    /// Lockout guard: sources that always keep SSH access.
    public var management: [CIDR]
    public var logDrops: Bool
    public var persist: Bool
    /// Drop what no policy admits, or count it and let it through (audit).
    public var enforcement: Enforcement
    /// file:line of the host's entry.
    public var origin: String?

    public init(name: String, namespace: String, labels: Labels = [:], addresses: [IPAddress],
                ports: [NamedPort] = [], ssh: SSHSettings = SSHSettings(), management: [CIDR] = [],
                logDrops: Bool = false, persist: Bool = false, enforcement: Enforcement = .enforce,
                origin: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.addresses = addresses
        self.ports = ports
        self.ssh = ssh
        self.management = management
        self.logDrops = logDrops
        self.persist = persist
        self.enforcement = enforcement
        self.origin = origin
    }

    public var ref: String { "\(namespace)/\(name)" }
    public var connectAddress: String { ssh.address ?? addresses.first.map(\.description) ?? name }

    public var workload: Workload {
        Workload(kind: .host, namespace: namespace, name: name, labels: labels, addresses: addresses, namedPorts: ports)
    }
}
