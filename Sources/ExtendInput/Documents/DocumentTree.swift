/// The documents of one parsed file, as flat arrays: every node with where it
/// begins, scalars as their text and whether they were quoted. The YAML
/// reader (libyaml's events) and the JSON reader both build this, so one decoder
/// (`Cursor`) reads either, and a node is an index: reading the tree copies
/// no nodes and counts no references but the tree's own.
final class DocumentTree: Sendable {
    /// A node's id: its index in `records`.
    typealias ID = Int32

    enum Kind: UInt8 {
        /// An unquoted scalar: YAML's core schema decides what it means
        /// (JSON's numbers, true, false and null are plain scalars).
        case plainScalar
        /// A quoted scalar: always a string.
        case quotedScalar
        case mapping
        case sequence
    }

    struct Record {
        let kind: Kind
        /// 1-based, as editors count; the column counts characters (Unicode scalars).
        let line: Int32
        let column: Int32
        /// A scalar's index in `texts`; a collection's first slot in `children`.
        let start: Int32
        /// Items of a sequence, entries (key and value) of a mapping; 0 for a scalar.
        let count: Int32
    }

    /// The file's path, as messages name it.
    let file: String
    /// The root of each document, in order; an empty file has none.
    let roots: [ID]
    let records: [Record]
    let texts: [String]
    /// Sequence items, and mapping entries as key then value, each
    /// collection's contiguous.
    let children: [ID]
    /// Each node's collection; -1 for a root. Paths for messages come from
    /// here, so reading a node never builds one.
    let parents: [ID]

    init(file: String, roots: [ID], records: [Record], texts: [String], children: [ID], parents: [ID]) {
        self.file = file
        self.roots = roots
        self.records = records
        self.texts = texts
        self.children = children
        self.parents = parents
    }

    func kind(_ id: ID) -> Kind { records[Int(id)].kind }

    func line(_ id: ID) -> Int { Int(records[Int(id)].line) }

    func column(_ id: ID) -> Int { Int(records[Int(id)].column) }

    /// A scalar's text; nil for collections.
    func text(_ id: ID) -> String? {
        let r = records[Int(id)]
        switch r.kind {
        case .plainScalar, .quotedScalar: return texts[Int(r.start)]
        case .mapping, .sequence: return nil
        }
    }

    /// What a scalar means; nil for collections.
    func scalar(_ id: ID) -> ScalarValue? {
        let r = records[Int(id)]
        switch r.kind {
        case .plainScalar: return ScalarValue(plain: texts[Int(r.start)])
        case .quotedScalar: return .string(texts[Int(r.start)])
        case .mapping, .sequence: return nil
        }
    }

    func isNull(_ id: ID) -> Bool {
        let r = records[Int(id)]
        return r.kind == .plainScalar && ScalarValue.isNull(plain: texts[Int(r.start)])
    }

    /// A sequence's items; empty for anything else.
    func items(_ id: ID) -> ArraySlice<ID> {
        let r = records[Int(id)]
        guard r.kind == .sequence else { return [] }
        return children[Int(r.start)..<Int(r.start + r.count)]
    }

    /// A mapping's entries in the order written; empty for anything else.
    func entries(_ id: ID) -> Entries {
        let r = records[Int(id)]
        guard r.kind == .mapping else { return Entries(children: children[0..<0]) }
        return Entries(children: children[Int(r.start)..<Int(r.start + 2 * r.count)])
    }

    /// Where a node is in its document, as messages name it:
    /// `spec.ingress[0].from`; empty at the root. A key is at its mapping's path.
    func path(_ id: ID) -> String {
        enum Step {
            case key(String)
            case index(Int)
        }
        var steps: [Step] = []
        var node = id
        while true {
            let parent = parents[Int(node)]
            guard parent >= 0 else { break }
            let r = records[Int(parent)]
            let siblings = children[Int(r.start)..<Int(r.start) + Int(r.kind == .mapping ? 2 * r.count : r.count)]
            let slot = (siblings.firstIndex(of: node) ?? siblings.startIndex) - siblings.startIndex
            if r.kind == .sequence {
                steps.append(.index(slot))
            } else if slot % 2 == 1 {
                steps.append(.key(text(siblings[siblings.startIndex + slot - 1]) ?? "?"))
            }
            node = parent
        }
        var out = ""
        for step in steps.reversed() {
            switch step {
            case .key(let key): out = out.isEmpty ? key : out + "." + key
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// Key and value ids of a mapping's entries.
    struct Entries: RandomAccessCollection {
        let children: ArraySlice<ID>
        var startIndex: Int { 0 }
        var endIndex: Int { children.count / 2 }
        subscript(i: Int) -> (key: ID, value: ID) {
            let at = children.startIndex + 2 * i
            return (children[at], children[at + 1])
        }
    }
}
