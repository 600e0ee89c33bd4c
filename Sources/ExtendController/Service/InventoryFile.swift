import ExtendCore
import ExtendInput
import Foundation
import Synchronization

/// The inventory file, read again on every poll: a change that reads without
/// errors replaces the inventory; one that does not is rejected, with every
/// problem at its file and line, and the last good inventory stays.
final class InventoryFile: Sendable {
    enum Check: Sendable {
        case unchanged
        case changed(Inventory)
        case rejected(String)
    }

    let path: String
    /// The bytes last seen (good or bad), so each edit is reported once.
    private let lastSeen = Mutex<Data?>(nil)

    init(path: String) {
        self.path = path
        lastSeen.withLock { $0 = FileManager.default.contents(atPath: path) }
    }

    func check() -> Check {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .rejected("inventory \(path) cannot be read; keeping the last good inventory")
        }
        let seen = lastSeen.withLock { last -> Bool in
            defer { last = data }
            return last == data
        }
        if seen { return .unchanged }
        let load = InventoryLoader.parse(String(decoding: data, as: UTF8.self), path: path)
        guard let inv = load.inventory, !load.hasErrors else {
            let errors = load.diagnostics.filter { $0.severity == .error }.map(\.description)
            return .rejected("inventory \(path) rejected, keeping the last good inventory: " + errors.joined(separator: "; "))
        }
        return .changed(inv)
    }
}
