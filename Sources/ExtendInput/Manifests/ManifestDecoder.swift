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

    init(problems: Problems) {
        self.problems = problems
    }

    mutating func read(_ file: SourceFile) {
        for root in file.roots(problems) { object(root, listKind: nil, listAPI: nil) }
    }

    func finish() -> ManifestLoad {
        var notes = self.notes
        let cluster = collector.finish(notes: &notes)
        return ManifestLoad(cluster: cluster, diagnostics: problems.diagnostics, notes: notes)
    }

    /// One object, or a list of them. Items of a typed list (PodList, as the
    /// API returns it) may leave out kind and apiVersion; they are the list's.
    private mutating func object(_ c: Cursor, listKind: String?, listAPI: String?) {
        guard let f = c.fields() else { return }
        let kind: String?
        if let k = f["kind"] { kind = k.nonEmptyString() } else if let listKind { kind = listKind } else {
            c.error("missing kind: every object needs kind and apiVersion (e.g. kind: NetworkPolicy, apiVersion: networking.k8s.io/v1)")
            return
        }
        let api = f["apiVersion"].map { $0.string() } ?? listAPI
        guard let kind else { return }
        if kind == "List" || kind.hasSuffix("List") && f.has("items") {
            list(f, kind: kind, api: api)
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
        switch decode(f, kind: kind, at: c) {
        case .namespace(let ns): collector.add(ns, at: c)
        case .pod(let pod): collector.add(pod, at: c)
        case .policy(let policy): collector.add(policy, at: c)
        case nil: break
        }
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
        for item in list { object(item, listKind: itemKind, listAPI: itemKind == nil ? nil : api) }
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
