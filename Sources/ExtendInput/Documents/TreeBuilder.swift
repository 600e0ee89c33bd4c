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

    @discardableResult
    mutating func scalar(_ text: String, quoted: Bool, line: Int, column: Int) -> ID {
        let id = ID(truncatingIfNeeded: records.count)
        records.append(DocumentTree.Record(kind: quoted ? .quotedScalar : .plainScalar,
                                           line: Int32(clamping: line), column: Int32(clamping: column),
                                           start: ID(truncatingIfNeeded: texts.count), count: 0))
        texts.append(text)
        attach(id)
        return id
    }

    /// Opens a mapping or sequence; its children follow until `end()`.
    @discardableResult
    mutating func begin(_ kind: DocumentTree.Kind, line: Int, column: Int) -> ID {
        let id = ID(truncatingIfNeeded: records.count)
        records.append(DocumentTree.Record(kind: kind, line: Int32(clamping: line), column: Int32(clamping: column),
                                           start: 0, count: 0))
        attach(id)
        open.append((id, pending.count))
        return id
    }

    /// Closes the innermost open collection, and says which it was.
    @discardableResult
    mutating func end() -> ID? {
        guard let (id, pendingStart) = open.popLast() else { return nil }
        let r = records[Int(id)]
        let start = ID(truncatingIfNeeded: children.count)
        let added = pending.count - pendingStart
        for child in pending[pendingStart...] { parents[Int(child)] = id }
        children.append(contentsOf: pending[pendingStart...])
        pending.removeSubrange(pendingStart...)
        let count = r.kind == .mapping ? added / 2 : added
        records[Int(id)] = DocumentTree.Record(kind: r.kind, line: r.line, column: r.column, start: start,
                                               count: ID(truncatingIfNeeded: count))
        return id
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

    func kind(_ id: ID) -> DocumentTree.Kind { records[Int(id)].kind }

    /// Where a closed collection's children are (mapping entries as key,
    /// then value), for `child(at:)`; empty for a scalar.
    func childSlots(_ id: ID) -> Range<Int> {
        let r = records[Int(id)]
        switch r.kind {
        case .plainScalar, .quotedScalar: return 0..<0
        case .sequence: return Int(r.start)..<Int(r.start) + Int(r.count)
        case .mapping: return Int(r.start)..<Int(r.start) + 2 * Int(r.count)
        }
    }

    func child(at slot: Int) -> ID { children[slot] }

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
