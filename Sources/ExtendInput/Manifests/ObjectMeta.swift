import ExtendCore

/// The part of `metadata` this tool reads.
struct ObjectMeta {
    var name: String
    var namespace: String
    var labels: Labels
    /// Set by the API server; absent in hand-written files.
    var uid: String?

    /// `metadata` of an object; a namespaced object with no namespace is in
    /// "default", as kubectl would create it.
    static func read(_ object: Fields, namespaced: Bool) -> ObjectMeta? {
        guard let c = object["metadata"] else {
            object.cursor.error("missing metadata: every object needs metadata.name")
            return nil
        }
        guard let f = c.fields() else { return nil }
        let name: String?
        if let n = f["name"] { name = n.nonEmptyString() } else {
            c.error("missing name: every object needs metadata.name")
            name = nil
        }
        var namespace: String? = "default"
        if namespaced, let n = f["namespace"] { namespace = n.dnsLabel("namespace") }
        let labels = f["labels"].map { $0.labels() } ?? [:]
        // Read leniently, as every field here that the API server sets: never an error.
        let uid = f.entries.first { $0.key == "uid" }.flatMap { f.cursor.tree.text($0.value) }.flatMap { $0.isEmpty ? nil : $0 }
        guard let name, let namespace, let labels else { return nil }
        return ObjectMeta(name: name, namespace: namespaced ? namespace : "", labels: labels, uid: uid)
    }

    /// Who an object from the API is, read leniently (never a diagnostic):
    /// a watch must be able to name, and delete, an object that does not decode.
    static func identity(_ object: Fields) -> (namespace: String, name: String, resourceVersion: String) {
        let tree = object.cursor.tree
        guard let meta = object.entries.first(where: { $0.key == "metadata" })?.value, tree.kind(meta) == .mapping else {
            return ("", "", "")
        }
        func text(_ key: String) -> String {
            tree.entries(meta).first { tree.text($0.key) == key }.flatMap { tree.text($0.value) } ?? ""
        }
        return (text("namespace"), text("name"), text("resourceVersion"))
    }

    /// `Kind namespace/name` (or `Kind name`) for notes, read leniently: a
    /// skipped object's metadata is not ours to judge.
    static func describe(kind: String, _ object: Fields) -> String {
        let tree = object.cursor.tree
        guard let meta = object.entries.first(where: { $0.key == "metadata" })?.value, tree.kind(meta) == .mapping else {
            return kind
        }
        func text(_ key: String) -> String? {
            tree.entries(meta).first { tree.text($0.key) == key }.flatMap { tree.text($0.value) }
        }
        let name = text("name") ?? "(unnamed)"
        return text("namespace").map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)"
    }
}
