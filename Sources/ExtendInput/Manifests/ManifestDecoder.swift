import ExtendCore

/// Walks manifest documents, unwraps lists and hands each object to the
/// reader for its kind.
struct ManifestDecoder {
    static let namespaceAPI = "v1"
    static let podAPI = "v1"
    static let policyAPI = "networking.k8s.io/v1"

    let problems: Problems
    var collector = ClusterCollector()
    var notes: [String] = []

    /// Whether a large list's items may be read on several threads (the
    /// result is the same either way; tests compare the two).
    let parallel: Bool

    init(problems: Problems, parallel: Bool = true) {
        self.problems = problems
        self.parallel = parallel
    }

    mutating func read(_ file: SourceFile) {
        for root in file.roots(problems) { object(root, listKind: nil, listAPI: nil) }
    }

    func finish() -> ManifestLoad {
        var notes = self.notes
        let cluster = collector.finish(notes: &notes)
        return ManifestLoad(cluster: cluster, diagnostics: problems.diagnostics, notes: notes)
    }

    /// While reading a file for `FileRead`: objects are kept, with where they
    /// were read, instead of collected.
    private var recording = false
    private var recorded: [FileRead.Object] = []

    /// One file read once and collected into several states (`diff
    /// --connections` reads the cluster file for the current and the proposed
    /// state): its objects in order, each with how many of the file's
    /// diagnostics came before it, so that collecting it gives exactly what
    /// reading it into that state would have.
    struct FileRead: Sendable {
        struct Object: Sendable {
            var object: ManifestObject
            var tree: DocumentTree
            var id: DocumentTree.ID
            var after: Int
        }
        var objects: [Object]
        var diagnostics: [Diagnostic]
        var notes: [String]

        static func read(path: String) -> FileRead {
            let problems = Problems()
            var decoder = ManifestDecoder(problems: problems)
            decoder.recording = true
            if let file = SourceFile.read(path: path, problems: problems) { decoder.read(file) }
            return FileRead(objects: decoder.recorded, diagnostics: problems.diagnostics, notes: decoder.notes)
        }
    }

    /// Collects a file read once, as `read` of the file would have.
    mutating func replay(_ file: FileRead) {
        var next = 0
        for o in file.objects {
            problems.append(Array(file.diagnostics[next..<o.after]))
            next = o.after
            collect(o.object, at: Cursor(tree: o.tree, id: o.id, problems: problems))
        }
        problems.append(Array(file.diagnostics[next...]))
        notes += file.notes
    }

    /// One object, or a list of them. Items of a typed list (PodList, as the
    /// API returns it) may leave out kind and apiVersion; they are the list's.
    /// Objects decoded but not yet collected (with `collect: false`), in order.
    private var taken: [(ManifestObject, DocumentTree.ID)] = []

    /// What reading one item of a large list gave, on its own thread.
    private struct ItemRead: Sendable {
        var diagnostics: [Diagnostic]
        var notes: [String]
        var taken: [(ManifestObject, DocumentTree.ID)]
    }

    private mutating func object(_ c: Cursor, listKind: String?, listAPI: String?, collect: Bool = true) {
        guard let f = c.fields() else { return }
        let kind: String?
        if let k = f["kind"] { kind = k.nonEmptyString() } else if let listKind { kind = listKind } else {
            c.error("missing kind: every object needs kind and apiVersion (e.g. kind: NetworkPolicy, apiVersion: networking.k8s.io/v1)")
            return
        }
        let api = f["apiVersion"].map { $0.string() } ?? listAPI
        guard let kind else { return }
        if kind == "List" || kind.hasSuffix("List") && f.has("items") {
            if collect { list(f, kind: kind, api: api) } else { nested(f, kind: kind, api: api) }
            return
        }
        let wanted: String
        switch kind {
        case "Namespace": wanted = Self.namespaceAPI
        case "Pod": wanted = Self.podAPI
        case "NetworkPolicy": wanted = Self.policyAPI
        default:
            notes.append("\(c.lineLocation): skipped \(ObjectMeta.describe(kind: kind, f))")
            return
        }
        guard let api else {
            c.error("missing apiVersion: a \(kind) needs apiVersion: \(wanted)")
            return
        }
        guard api == wanted else {
            (f["apiVersion"] ?? c).error("\(kind) with apiVersion \(ScalarValue.quote(api)) is not supported; expected apiVersion: \(wanted)")
            return
        }
        guard let object = decode(f, kind: kind, at: c) else { return }
        if collect { self.collect(object, at: c) } else { taken.append((object, c.id)) }
    }

    private mutating func collect(_ object: ManifestObject, at c: Cursor) {
        if recording {
            recorded.append(.init(object: object, tree: c.tree, id: c.id, after: problems.diagnostics.count))
            return
        }
        switch object {
        case .namespace(let ns): collector.add(ns, at: c)
        case .pod(let pod): collector.add(pod, at: c)
        case .policy(let policy): collector.add(policy, at: c)
        }
    }

    /// A list inside a list's items, read on the item's thread: its objects are taken, not collected.
    private mutating func nested(_ f: Fields, kind: String, api: String?) {
        let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
        guard let items = f["items"], let list = items.list() else { return }
        for item in list { object(item, listKind: itemKind, listAPI: itemKind == nil ? nil : api, collect: false) }
    }

    /// One object of a kind we read (Namespace, Pod or NetworkPolicy, its
    /// apiVersion already checked), or nil with diagnostics.
    func decode(_ f: Fields, kind: String, at c: Cursor) -> ManifestObject? {
        switch kind {
        case "Namespace": namespace(f).map { .namespace($0) }
        case "Pod": pod(f, at: c).map { .pod($0) }
        case "NetworkPolicy": networkPolicy(f, at: c).map { .policy($0) }
        default: nil
        }
    }

    private mutating func list(_ f: Fields, kind: String, api: String?) {
        let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
        guard let items = f["items"], let list = items.list() else { return }
        let listAPI = itemKind == nil ? nil : api
        guard parallel, list.count >= ParallelItems.threshold else {
            for item in list { object(item, listKind: itemKind, listAPI: listAPI) }
            return
        }
        // A large list (a cluster's `kubectl get -o json`): the items are read
        // on every core, each into its own problems, then taken in order, so
        // diagnostics, notes and duplicates come out exactly as one by one.
        let tree = items.tree
        let read = ParallelItems.map(list.map(\.id)) { id in
            let own = Problems()
            var decoder = ManifestDecoder(problems: own)
            decoder.object(Cursor(tree: tree, id: id, problems: own), listKind: itemKind, listAPI: listAPI, collect: false)
            return ItemRead(diagnostics: own.diagnostics, notes: decoder.notes, taken: decoder.taken)
        }
        for item in read {
            problems.append(item.diagnostics)
            notes += item.notes
            for (object, id) in item.taken { collect(object, at: Cursor(tree: tree, id: id, problems: problems)) }
        }
    }

    private func namespace(_ f: Fields) -> Namespace? {
        guard let meta = ObjectMeta.read(f, namespaced: false) else { return nil }
        guard LabelValidation.isDNS1123Label(meta.name) else {
            f["metadata"]?.error("namespace name \(ScalarValue.quote(meta.name)) must be a DNS-1123 label")
            return nil
        }
        return Namespace(name: meta.name, labels: meta.labels)
    }
}
