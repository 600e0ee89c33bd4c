import ExtendCore

/// One pass over an inventory document. Cross-entry checks (names and
/// addresses used twice) are made as entries are read, so diagnostics come
/// out in file order and every entry is still checked after a bad one.
struct InventoryDecoder {
    static let topKeys = ["apiVersion", "kind", "namespaces", "defaults", "hosts"]
    static let namespaceKeys = ["name", "labels"]

    let file: String
    let problems: Problems
    /// First place each name or address was seen, for "already used at".
    var namespaceAt: [String: String] = [:]
    var hostAt: [String: String] = [:]
    var addressOwner: [IPAddress: (host: String, at: String)] = [:]

    init(file: String, problems: Problems) {
        self.file = file
        self.problems = problems
    }

    mutating func inventory(_ root: Cursor) -> Inventory? {
        guard let top = root.fields(allowed: Self.topKeys) else {
            return nil
        }
        expect(top, "apiVersion", InventoryLoader.apiVersion)
        expect(top, "kind", InventoryLoader.kind)
        var namespaces: [Namespace] = []
        if let c = top["namespaces"], let list = c.list() {
            namespaces = list.compactMap { namespace($0) }
        }
        var defaults = HostSettings()
        if let c = top["defaults"], let f = c.fields(allowed: HostSettings.keys) {
            defaults.apply(f, sshKeys: HostSettings.sshKeys)
        }
        var hosts: [LegacyHost] = []
        if let c = top["hosts"], let list = c.list() {
            hosts = list.compactMap { host($0, defaults: defaults) }
        }
        return Inventory(namespaces: namespaces, hosts: hosts, source: file)
    }

    private func expect(_ top: Fields, _ key: String, _ wanted: String) {
        guard let c = top[key] else {
            top.cursor.error("missing \(key); an inventory begins with apiVersion: \(InventoryLoader.apiVersion) and kind: \(InventoryLoader.kind)")
            return
        }
        guard let s = c.string() else { return }
        if s != wanted { c.error("must be \(wanted), not \(ScalarValue.quote(s))") }
    }

    private mutating func namespace(_ c: Cursor) -> Namespace? {
        guard let f = c.fields(allowed: Self.namespaceKeys) else { return nil }
        let labels = f["labels"].map { $0.labels() } ?? [:]
        guard let nameCursor = required(f, "name", "every namespace needs a name"),
              let name = nameCursor.dnsLabel("namespace name") else { return nil }
        if let first = namespaceAt[name] {
            nameCursor.error("namespace \"\(name)\" is declared twice (first at \(first)); declare each namespace once")
            return nil
        }
        namespaceAt[name] = c.lineLocation
        guard let labels else { return nil }
        return Namespace(name: name, labels: labels, virtual: true, origin: nameCursor.location)
    }

    /// The value of a key that must be given; a missing one is an error at the mapping.
    func required(_ f: Fields, _ key: String, _ why: String) -> Cursor? {
        if let c = f[key] { return c }
        f.cursor.error("missing key \"\(key)\": \(why)")
        return nil
    }
}
