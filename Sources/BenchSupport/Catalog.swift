/// The names the generator draws from: teams, the apps that run as pods, the
/// legacy applications that run on hosts, and the ipBlocks policies name.
enum Catalog {
    static let teams = [
        "payments", "checkout", "search", "catalog", "identity", "billing", "shipping", "ledger", "fraud", "notify",
        "media", "profile", "reviews", "pricing", "stock", "reports", "gateway", "support", "loyalty", "analytics",
    ]

    typealias Port = SyntheticCluster.NamedPort

    struct App {
        var name: String
        var tier: String
        var ports: [Port]
        /// Relative number of replicas.
        var weight: Int
    }

    /// Deployments in every cluster namespace.
    static let podApps: [App] = [
        App(name: "web", tier: "web", ports: [tcp("http", 8080), tcp("metrics", 9090)], weight: 5),
        App(name: "api", tier: "api", ports: [tcp("http", 8080), tcp("grpc", 9000)], weight: 5),
        App(name: "worker", tier: "worker", ports: [tcp("metrics", 9090)], weight: 3),
        App(name: "cache", tier: "data", ports: [tcp("redis", 6379)], weight: 2),
        App(name: "db-proxy", tier: "data", ports: [tcp("postgres", 5432)], weight: 1),
        App(name: "auth", tier: "api", ports: [tcp("https", 8443)], weight: 2),
        App(name: "search", tier: "api", ports: [tcp("http", 9200)], weight: 1),
        App(name: "dns-cache", tier: "infra", ports: [udp("dns", 53)], weight: 1),
    ]

    /// Legacy applications on inventory hosts.
    static let hostApps: [App] = [
        App(name: "billing-db", tier: "data", ports: [tcp("postgres", 5432)], weight: 1),
        App(name: "oracle-db", tier: "data", ports: [tcp("oracle", 1521)], weight: 1),
        App(name: "mainframe-gw", tier: "app", ports: [tcp("mq", 1414), tcp("https", 443)], weight: 1),
        App(name: "ldap", tier: "ops", ports: [tcp("ldap", 389), tcp("ldaps", 636)], weight: 1),
        App(name: "backup", tier: "ops", ports: [tcp("rsync", 873)], weight: 1),
        App(name: "reporting", tier: "app", ports: [tcp("http", 80), tcp("https", 443)], weight: 1),
        App(name: "syslog", tier: "ops", ports: [udp("syslog", 514), tcp("syslog-tls", 6514)], weight: 1),
        App(name: "ntp", tier: "ops", ports: [udp("ntp", 123)], weight: 1),
        App(name: "smtp-relay", tier: "app", ports: [tcp("smtp", 25), tcp("submission", 587)], weight: 1),
    ]

    /// `(cidr, except)` for ipBlock peers; the pod CIDR and the host ranges
    /// are inside some of them, so their excepts matter.
    static let ipBlocks: [(String, [String])] = [
        ("10.0.0.0/8", ["10.200.0.0/16"]),
        ("172.16.0.0/12", ["172.16.5.0/24", "172.20.0.0/16"]),
        ("0.0.0.0/0", ["10.0.0.0/8", "192.168.0.0/16"]),
        ("198.18.0.0/15", ["198.18.0.0/24"]),
        ("192.168.0.0/16", ["192.168.100.0/24"]),
        ("fd00::/8", ["fd00:10::/32"]),
    ]

    static let numberedPorts = [443, 5432, 8080, 9090, 1521, 389, 6379]
    static let udpNumbers = [53, 514, 123]
    static let ranges = [(8000, 8100), (30000, 32767), (9000, 9100)]

    static func tcp(_ name: String, _ port: Int) -> Port { Port(name: name, port: port, proto: "TCP") }
    static func udp(_ name: String, _ port: Int) -> Port { Port(name: name, port: port, proto: "UDP") }
}
