import Yams

/// A node of a parsed YAML document together with where it is: the file,
/// its line and column, and its path in the document (`hosts[0].ssh.port`).
/// Every read is typed and reports a mismatch as a `FILE:LINE:COLUMN`
/// diagnostic naming the path, what was expected and what was found.
struct Cursor {
    let node: Node
    let file: String
    /// Dotted path from the document root; empty at the root.
    let path: String
    let problems: Problems

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }
    /// `FILE:LINE:COLUMN`, for diagnostics.
    var location: String { "\(file):\(line):\(column)" }
    /// `FILE:LINE`, for the origin of a host or an object.
    var lineLocation: String { "\(file):\(line)" }
    /// How messages name this place.
    var place: String { path.isEmpty ? "the top level" : path }

    func error(_ message: String) {
        problems.error(location, path.isEmpty ? message : "\(path): \(message)")
    }

    func warning(_ message: String) {
        problems.warning(location, path.isEmpty ? message : "\(path): \(message)")
    }

    func child(_ node: Node, key: String) -> Cursor {
        Cursor(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)", problems: problems)
    }

    func child(_ node: Node, index: Int) -> Cursor {
        Cursor(node: node, file: file, path: "\(path)[\(index)]", problems: problems)
    }

    /// nil for mappings and lists.
    var scalar: ScalarValue? {
        if case .scalar(let s) = node { return ScalarValue(s) }
        return nil
    }

    var isNull: Bool { scalar == .null }

    /// How messages name what is here.
    var described: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s): ScalarValue(s).described
        case .alias: "an alias"
        }
    }

    func typeError(expected: String, hint: String = "") {
        error("expected \(expected), got \(described)\(hint)")
    }
}
