import ExtendCore

/// What loading an inventory gave: the inventory when the file is valid, and
/// every problem found (all of them, not only the first).
public struct InventoryLoad: Sendable {
    /// nil when any diagnostic is an error.
    public let inventory: Inventory?
    public let diagnostics: [Diagnostic]

    public init(inventory: Inventory?, diagnostics: [Diagnostic]) {
        self.inventory = inventory
        self.diagnostics = diagnostics
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The inventory, or an `InputError` carrying every diagnostic.
    public func get() throws(InputError) -> Inventory {
        guard let inventory, !hasErrors else { throw InputError(diagnostics: diagnostics) }
        return inventory
    }
}
