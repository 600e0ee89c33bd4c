/// Builds a `DocumentTree` in reading order: a reader adds each scalar as it
/// meets it and brackets each collection with `begin` and `end`; a node goes
/// into the innermost open collection (mapping entries as key, then value),
/// or is a document's root when none is open.
struct TreeBuilder {
    typealias ID = DocumentTree.ID

    private var records: [DocumentTree.Record] = []
    private var texts: [String] = []
    private var children: [ID] = []
    private var parents: [ID] = []
    private var roots: [ID] = []
    /// Children of the open collections, innermost last.
    private var pending: [ID] = []
    /// The open collections, innermost last, with where their children begin in `pending`.
    private var open: [(id: ID, pendingStart: Int)] = []

    /// With room for about `expectedNodes` (three in four of them scalars,
    /// as in Kubernetes objects), so that the arrays rarely grow by copying.
    init(expectedNodes: Int = 0) {
        records.reserveCapacity(expectedNodes)
        parents.reserveCapacity(expectedNodes)
        texts.reserveCapacity(expectedNodes * 3 / 4)
        children.reserveCapacity(expectedNodes)
    }

    /// Nodes so far.
    var count: Int { records.count }

    /// How many collections are open.
    var depth: Int { open.count }

    mutating func scalar(_ text: String, quoted: Bool, line: Int, column: Int) {
        let id = ID(truncatingIfNeeded: records.count)
        records.append(DocumentTree.Record(kind: quoted ? .quotedScalar : .plainScalar,
                                           line: Int32(clamping: line), column: Int32(clamping: column),
                                           start: ID(truncatingIfNeeded: texts.count), count: 0))
        texts.append(text)
        attach(id)
    }

    /// Opens a mapping or sequence; its children follow until `end()`.
    mutating func begin(_ kind: DocumentTree.Kind, line: Int, column: Int) {
        let id = ID(truncatingIfNeeded: records.count)
        records.append(DocumentTree.Record(kind: kind, line: Int32(clamping: line), column: Int32(clamping: column),
                                           start: 0, count: 0))
        attach(id)
        open.append((id, pending.count))
    }

    /// Closes the innermost open collection.
    mutating func end() {
        guard let (id, pendingStart) = open.popLast() else { return }
        let r = records[Int(id)]
        let start = ID(truncatingIfNeeded: children.count)
        let added = pending.count - pendingStart
        for child in pending[pendingStart...] { parents[Int(child)] = id }
        children.append(contentsOf: pending[pendingStart...])
        pending.removeSubrange(pendingStart...)
        let count = r.kind == .mapping ? added / 2 : added
        records[Int(id)] = DocumentTree.Record(kind: r.kind, line: r.line, column: r.column, start: start,
                                               count: ID(truncatingIfNeeded: count))
    }

    /// The children added so far to the innermost open collection.
    var openChildren: ArraySlice<ID> {
        guard let last = open.last else { return [] }
        return pending[last.pendingStart...]
    }

    /// A scalar's text, while building.
    func text(_ id: ID) -> String? {
        let r = records[Int(id)]
        return r.kind == .plainScalar || r.kind == .quotedScalar ? texts[Int(r.start)] : nil
    }

    func position(_ id: ID) -> (line: Int, column: Int) {
        (Int(records[Int(id)].line), Int(records[Int(id)].column))
    }

    private mutating func attach(_ id: ID) {
        parents.append(-1)
        if open.isEmpty { roots.append(id) } else { pending.append(id) }
    }

    /// The tree; collections still open (after an error) are left empty.
    func finish(file: String) -> DocumentTree {
        DocumentTree(file: file, roots: roots, records: records, texts: texts, children: children, parents: parents)
    }
}
