/// The size of a generated cluster and inventory, and the seed that makes it.
public struct BenchScale: Sendable, Equatable, CustomStringConvertible {
    /// Running pods, spread over the cluster namespaces.
    public var pods: Int
    /// NetworkPolicies; about half sit in the inventory-only namespaces.
    public var policies: Int
    /// Legacy hosts in the inventory.
    public var hosts: Int
    /// Cluster namespaces (the inventory-only ones come on top).
    public var namespaces: Int
    public var seed: UInt64

    public init(pods: Int, policies: Int, hosts: Int, namespaces: Int, seed: UInt64 = 42) {
        self.pods = pods
        self.policies = policies
        self.hosts = hosts
        self.namespaces = namespaces
        self.seed = seed
    }

    /// Issue 10's base: 10,000 pods, 2,000 policies, 1,000 hosts, 100 namespaces.
    public static let base = BenchScale(pods: 10_000, policies: 2_000, hosts: 1_000, namespaces: 100)

    /// Namespaces declared only in the inventory: five at the base size, and
    /// as many more as the cluster has more teams.
    public var inventoryNamespaces: Int { max(1, namespaces / 20) }

    /// Every count times `factor` (at least 1 each; at least 2 namespaces so
    /// that both a live and a non-live one exist).
    public func scaled(by factor: Double) -> BenchScale {
        func s(_ n: Int, _ least: Int = 1) -> Int { max(least, Int((Double(n) * factor).rounded())) }
        return BenchScale(pods: s(pods), policies: s(policies), hosts: s(hosts), namespaces: s(namespaces, 2), seed: seed)
    }

    /// A name for this size's work folder.
    public var folderName: String {
        "pods\(pods)-policies\(policies)-hosts\(hosts)-ns\(namespaces)-seed\(seed)"
    }

    public var description: String {
        "\(pods) pods, \(policies) policies, \(hosts) hosts, \(namespaces) namespaces (+\(inventoryNamespaces) inventory-only), seed \(seed)"
    }
}
