import ExtendCore
import Foundation

/// The managed hosts record on disk: a JSON file written by `extend apply`
/// (atomically, mode 0600) and read by `diff` and `apply` to find hosts that
/// have left the inventory. It holds what is needed to reach a host again,
/// never a secret.
///
/// ```json
/// {
///   "apiVersion": "netpol-extend/v1",
///   "kind": "ManagedHosts",
///   "hosts": [
///     {
///       "name": "billing-db-01",
///       "addresses": ["198.18.1.10", "2001:db8:1::10"],
///       "ssh": {"address": "198.18.1.10", "port": 22, "user": "root", …}
///     }
///   ]
/// }
/// ```
public enum ManagedHostsFile {
    public static let apiVersion = "netpol-extend/v1"
    public static let kind = "ManagedHosts"

    /// Where the record of an inventory lives unless `--state` says otherwise:
    /// beside it, named after it, so two inventories never share one.
    public static func defaultPath(inventory: String) -> String { inventory + ".state.json" }

    /// The record at `path`; nil when there is no file there (no apply has
    /// written one yet). A file that cannot be used is an error naming
    /// `FILE:LINE:COLUMN`, every problem at once.
    public static func read(path: String) throws(InputError) -> ManagedHostsRecord? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let problems = Problems()
        guard let file = SourceFile.read(path: path, problems: problems) else {
            throw InputError(diagnostics: problems.diagnostics)
        }
        return try decode(file, problems)
    }

    /// Checks record text as if read from `path` (which only names it in messages).
    public static func parse(_ text: String, path: String) throws(InputError) -> ManagedHostsRecord {
        let problems = Problems()
        guard let file = SourceFile.parse(text: text, path: path, problems: problems) else {
            throw InputError(diagnostics: problems.diagnostics)
        }
        return try decode(file, problems)
    }

    private static func decode(_ file: SourceFile, _ problems: Problems) throws(InputError) -> ManagedHostsRecord {
        let roots = file.roots(problems)
        guard let root = roots.first else {
            problems.error("\(file.path):1:1", "the file is empty; expected the managed hosts record that extend apply writes (apiVersion: \(apiVersion), kind: \(kind))")
            throw InputError(diagnostics: problems.diagnostics)
        }
        for extra in roots.dropFirst() {
            extra.error("a managed hosts record is a single JSON document, but another document begins here")
        }
        var decoder = ManagedHostsDecoder()
        let record = decoder.record(root)
        guard let record, !problems.hasErrors else { throw InputError(diagnostics: problems.diagnostics) }
        return record
    }

    /// Replaces the record at `path` as one step: the text goes to a
    /// temporary file beside it (mode 0600), is flushed to disk, then renamed
    /// over the old one. A reader sees the old record or the new, never half.
    public static func write(_ record: ManagedHostsRecord, to path: String) throws(InputError) {
        try AtomicFile.replace(path, with: Array(text(record).utf8), mode: 0o600, what: "the managed hosts record")
    }
}
