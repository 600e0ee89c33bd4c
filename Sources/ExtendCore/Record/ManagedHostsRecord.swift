/// The hosts `extend apply` has worked on for one inventory: the memory that
/// lets a host deleted from the inventory still be found and cleaned.
public struct ManagedHostsRecord: Hashable, Sendable {
    /// Sorted by name, one entry per name.
    public private(set) var hosts: [ManagedHost]

    /// Sorts by name; of two entries with one name, the later is kept.
    public init(hosts: [ManagedHost] = []) {
        var byName: [String: ManagedHost] = [:]
        for h in hosts { byName[h.name] = h }
        self.hosts = byName.values.sorted { $0.name < $1.name }
    }

    public var isEmpty: Bool { hosts.isEmpty }
    public var names: [String] { hosts.map(\.name) }
    public func host(named name: String) -> ManagedHost? { hosts.first { $0.name == name } }
}
