import ExtendCore

/// What changed between two inventories, as the engine takes it.
struct InventoryDiff: Equatable {
    /// Hosts added or changed, and hosts removed, as compiler changes.
    var changes: [ClusterChange]
    /// The inventory's own namespaces changed: the world is built again.
    var namespacesChanged: Bool
    /// Hosts that left the inventory (their rules must go).
    var removed: [String]

    init(from old: Inventory, to new: Inventory) {
        let before = Dictionary(old.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [ClusterChange] = []
        for h in new.hosts where before[h.name].map({ !Self.same($0, h) }) ?? true { changes.append(.host(h)) }
        removed = old.hosts.map(\.name).filter { after[$0] == nil }.sorted()
        changes += removed.map { .hostDeleted($0) }
        self.changes = changes
        namespacesChanged = Set(old.namespaces.map(Self.key)) != Set(new.namespaces.map(Self.key))
    }

    var isEmpty: Bool { changes.isEmpty && !namespacesChanged }

    /// Equal apart from where in the file the host is (moving an entry changes nothing).
    private static func same(_ a: LegacyHost, _ b: LegacyHost) -> Bool {
        var a = a, b = b
        a.origin = nil
        b.origin = nil
        return a == b
    }

    private static func key(_ n: Namespace) -> String {
        n.name + "\n" + n.labels.keys.sorted().map { "\($0)=\(n.labels[$0] ?? "")" }.joined(separator: ",")
    }
}
