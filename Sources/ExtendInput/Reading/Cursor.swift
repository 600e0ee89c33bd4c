/// A node of a parsed document together with where it is: the file, its line
/// and column, and its path in the document (`hosts[0].ssh.port`). Every read
/// is typed and reports a mismatch as a `FILE:LINE:COLUMN` diagnostic naming
/// the path, what was expected and what was found. YAML and JSON files give
/// the same tree, so they are read by the same code and give the same messages.
struct Cursor {
    let tree: DocumentTree
    let id: DocumentTree.ID
    let problems: Problems

    /// Dotted path from the document root; empty at the root. Made only for messages.
    var path: String { tree.path(id) }
    var file: String { tree.file }
    var line: Int { tree.line(id) }
    var column: Int { tree.column(id) }
    /// `FILE:LINE:COLUMN`, for diagnostics.
    var location: String { "\(file):\(line):\(column)" }
    /// `FILE:LINE`, for the origin of a host or an object.
    var lineLocation: String { "\(file):\(line)" }
    /// How messages name this place.
    var place: String { path.isEmpty ? "the top level" : path }

    func error(_ message: String) {
        let path = self.path
        problems.error(location, path.isEmpty ? message : "\(path): \(message)")
    }

    func warning(_ message: String) {
        let path = self.path
        problems.warning(location, path.isEmpty ? message : "\(path): \(message)")
    }

    /// Another node of the same document: a value or item under this one, or one of its mapping's keys.
    func at(_ id: DocumentTree.ID) -> Cursor {
        Cursor(tree: tree, id: id, problems: problems)
    }

    /// nil for mappings and lists.
    var scalar: ScalarValue? { tree.scalar(id) }

    var isNull: Bool { tree.isNull(id) }

    /// How messages name what is here.
    var described: String {
        switch tree.kind(id) {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .plainScalar, .quotedScalar: scalar?.described ?? "a scalar"
        }
    }

    func typeError(expected: String, hint: String = "") {
        error("expected \(expected), got \(described)\(hint)")
    }
}
