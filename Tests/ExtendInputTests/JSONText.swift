@testable import ExtendInput
import Testing

/// JSON for YAML text: the same documents, every node on the line it has in
/// the YAML (JSON may break lines between any two tokens), so objects read
/// from either keep the same `FILE:LINE` origins. Several documents become
/// the items of one `kind: List`.
enum JSONText {
    static func fromYAML(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let problems = Problems()
        let file = try #require(SourceFile.parse(text: yaml, path: "yaml", problems: problems, syntax: .yaml),
                                "\(problems.diagnostics)", sourceLocation: sourceLocation)
        var emitter = Emitter(tree: file.tree)
        let roots = file.tree.roots.filter { !file.tree.isNull($0) }
        if roots.count == 1 {
            emitter.value(roots[0])
        } else {
            emitter.out = #"{"apiVersion": "v1", "kind": "List", "items": ["#
            for (i, root) in roots.enumerated() {
                if i > 0 { emitter.out += ", " }
                emitter.value(root)
            }
            emitter.out += "]}"
        }
        return emitter.out + "\n"
    }

    private struct Emitter {
        let tree: DocumentTree
        var out = ""
        var line = 1

        mutating func value(_ id: DocumentTree.ID) {
            moveTo(id)
            switch tree.kind(id) {
            case .mapping:
                out += "{"
                for (i, entry) in tree.entries(id).enumerated() {
                    if i > 0 { out += ", " }
                    moveTo(entry.key)
                    out += ManagedHostsFile.quote(tree.text(entry.key) ?? "")
                    out += ": "
                    value(entry.value)
                }
                out += "}"
            case .sequence:
                out += "["
                for (i, item) in tree.items(id).enumerated() {
                    if i > 0 { out += ", " }
                    value(item)
                }
                out += "]"
            case .quotedScalar:
                out += ManagedHostsFile.quote(tree.text(id) ?? "")
            case .plainScalar:
                let text = tree.text(id) ?? ""
                switch ScalarValue(plain: text) {
                case .null: out += "null"
                case .bool(let b): out += "\(b)"
                case .int(let n): out += "\(n)"
                case .otherNumber(let s) where s.wholeMatch(of: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/) != nil:
                    out += s
                case .otherNumber, .ambiguous, .string:
                    out += ManagedHostsFile.quote(text)
                }
            }
        }

        private mutating func moveTo(_ id: DocumentTree.ID) {
            while line < tree.line(id) {
                out += "\n"
                line += 1
            }
        }
    }
}
