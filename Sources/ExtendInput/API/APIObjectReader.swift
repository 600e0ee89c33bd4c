import ExtendCore

/// Reads what the API server sends — list pages and watch events — object by
/// object with the manifest decoder (the JSON reader, the same checks and
/// messages as for files), so an object from a watch and the same object
/// from a file become the same value, and one bad object costs only itself.
public enum APIObjectReader {
    /// What a list page gave: its items, and problems with the page itself.
    public struct Page: Sendable {
        public var objects: [APIObject]
        public var diagnostics: [Diagnostic]
    }

    /// The items of one list page (`PodList`, whose items carry no kind):
    /// `kind`/`apiVersion` are those the items must have. `name` stands for
    /// the file in messages (the page's URL).
    public static func page(_ text: String, name: String, kind: String, apiVersion: String) -> Page {
        let problems = Problems()
        guard let file = SourceFile.parse(text: text, path: name, problems: problems, syntax: .json),
              let root = file.roots(problems).first, let f = root.fields() else {
            return Page(objects: [], diagnostics: problems.diagnostics)
        }
        let decoder = ManifestDecoder(problems: problems)
        let items = f["items"]?.list() ?? []
        let objects = items.compactMap { object($0, kind: kind, apiVersion: apiVersion, decoder: decoder) }
        return Page(objects: objects, diagnostics: problems.diagnostics)
    }

    /// One line of a watch stream.
    public static func watchEvent(_ line: String, name: String, kind: String, apiVersion: String) -> WatchEventRead {
        let problems = Problems()
        var event = read(line, name: name, kind: kind, apiVersion: apiVersion, problems: problems)
        event.diagnostics = problems.diagnostics
        return event
    }

    private static func read(_ line: String, name: String, kind: String, apiVersion: String, problems: Problems) -> WatchEventRead {
        var event = WatchEventRead(type: "", diagnostics: [])
        guard let file = SourceFile.parse(text: line, path: name, problems: problems, syntax: .json),
              let root = file.roots(problems).first, let f = root.fields() else {
            if !problems.hasErrors { problems.error(name, "a watch event is a JSON object; got nothing") }
            return event
        }
        guard let type = f["type"]?.nonEmptyString() else {
            if !f.has("type") { root.error("missing type: a watch event is {\"type\": ..., \"object\": ...}") }
            return event
        }
        event.type = type
        guard let objectCursor = f["object"] else {
            root.error("missing object: a \(type) watch event carries one")
            return event
        }
        switch type {
        case "ADDED", "MODIFIED", "DELETED":
            let decoder = ManifestDecoder(problems: problems)
            event.object = object(objectCursor, kind: kind, apiVersion: apiVersion, decoder: decoder)
        case "BOOKMARK":
            guard let of = objectCursor.fields() else { return event }
            event.bookmark = ObjectMeta.identity(of).resourceVersion
            if event.bookmark?.isEmpty ?? true { objectCursor.error("a BOOKMARK event needs metadata.resourceVersion") }
        case "ERROR":
            guard let of = objectCursor.fields() else { return event }
            let tree = of.cursor.tree
            func text(_ key: String) -> String? {
                of.entries.first { $0.key == key }.flatMap { tree.text($0.value) }
            }
            event.status = WatchEventRead.Status(code: text("code").flatMap { Int($0) }, reason: text("reason") ?? "",
                                                 message: text("message") ?? "")
        default:
            break  // the caller says what it does not know
        }
        return event
    }

    /// One object, named leniently first so that even one that does not
    /// decode is known by kind, namespace and name.
    private static func object(_ c: Cursor, kind: String, apiVersion: String, decoder: ManifestDecoder) -> APIObject? {
        let problems = decoder.problems
        let before = problems.diagnostics.count
        guard let f = c.fields() else { return nil }
        let id = ObjectMeta.identity(f)
        let tree = c.tree
        let ownKind = f.entries.first { $0.key == "kind" }.flatMap { tree.text($0.value) }
        let ownAPI = f.entries.first { $0.key == "apiVersion" }.flatMap { tree.text($0.value) }
        var value: ManifestObject?
        if let ownKind, ownKind != kind {
            (f["kind"] ?? c).error("expected a \(kind), got kind \(ScalarValue.quote(ownKind))")
        } else if let ownAPI, ownAPI != apiVersion {
            (f["apiVersion"] ?? c).error("\(kind) with apiVersion \(ScalarValue.quote(ownAPI)) is not supported; expected apiVersion: \(apiVersion)")
        } else {
            value = decoder.decode(f, kind: kind, at: c)
        }
        let diagnostics = Array(problems.diagnostics[before...])
        if value != nil && diagnostics.contains(where: { $0.severity == .error }) { value = nil }
        return APIObject(kind: kind, namespace: id.namespace, name: id.name, resourceVersion: id.resourceVersion,
                         value: value, diagnostics: diagnostics, origin: c.lineLocation)
    }
}
