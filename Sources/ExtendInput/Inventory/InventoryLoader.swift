import ExtendCore

/// Reads an inventory file (spec/inventory.md) into an `Inventory`, with
/// defaults applied to every host. Strict: unknown keys, wrong types and
/// invalid values are errors with `FILE:LINE:COLUMN`, all reported together.
/// Checks that need the cluster (a namespace also in the cluster, a host in a
/// namespace that exists nowhere, an address also used by a pod) are
/// `World.build`'s, not repeated here.
public enum InventoryLoader {
    public static let apiVersion = "netpol-extend/v1"
    public static let kind = "Inventory"

    /// Reads and checks the inventory at `path`. The only I/O is reading that file.
    public static func load(path: String) -> InventoryLoad {
        let problems = Problems()
        guard let file = SourceFile.read(path: path, problems: problems) else {
            return InventoryLoad(inventory: nil, diagnostics: problems.diagnostics)
        }
        return decode(file, problems)
    }

    /// Checks inventory text as if read from `path` (which only names it in messages).
    public static func parse(_ text: String, path: String = "<inventory>") -> InventoryLoad {
        let problems = Problems()
        guard let file = SourceFile.parse(text: text, path: path, problems: problems) else {
            return InventoryLoad(inventory: nil, diagnostics: problems.diagnostics)
        }
        return decode(file, problems)
    }

    private static func decode(_ file: SourceFile, _ problems: Problems) -> InventoryLoad {
        let roots = file.roots(problems)
        guard let root = roots.first else {
            problems.error("\(file.path):1:1",
                           "the file is empty; expected an inventory beginning with apiVersion: \(apiVersion) and kind: \(kind)")
            return InventoryLoad(inventory: nil, diagnostics: problems.diagnostics)
        }
        for extra in roots.dropFirst() {
            extra.error("an inventory is a single YAML document, but another document begins here; merge them into one")
        }
        var decoder = InventoryDecoder(file: file.path, problems: problems)
        let inventory = decoder.inventory(root)
        return InventoryLoad(inventory: problems.hasErrors ? nil : inventory, diagnostics: problems.diagnostics)
    }
}
