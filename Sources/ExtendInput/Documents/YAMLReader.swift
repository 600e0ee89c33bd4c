import Yams

/// YAML through Yams: each composed document is copied into a
/// `DocumentTree`, positions and quoting kept.
enum YAMLReader {
    /// The tree, and what Yams composed: the caller keeps that until the file
    /// is decoded (see `SourceFile.composed`).
    static func read(_ text: String, file: String) throws(SyntaxError) -> (tree: DocumentTree, composed: [Node]) {
        // Aliases make a composed document a graph: copying follows every
        // alias, so a few lines of nested aliases ("billion laughs") could
        // expand without end. No document without aliases comes near this.
        let budget = 4 * text.utf8.count + 1024
        // kubectl's YAML has a node in every eight bytes or so.
        var builder = TreeBuilder(expectedNodes: text.utf8.count / 7)
        var composed: [Node] = []
        do {
            // The basic resolver leaves every scalar untyped: ScalarValue
            // decides what a scalar means (YAML 1.2 core rules), and the
            // regular expressions of the default resolver stay off the hot path.
            var stream = try Yams.compose_all(yaml: text, .basic, .default, .utf8)
            while let node = stream.next() {
                try add(node, to: &builder, budget: budget)
                composed.append(node)
            }
            if let error = stream.error { throw error }
        } catch let error as SyntaxError {
            throw error
        } catch {
            throw describe(error, text: text)
        }
        return (builder.finish(file: file), composed)
    }

    private static func add(_ node: Node, to builder: inout TreeBuilder, budget: Int) throws(SyntaxError) {
        // Marks are read from each case's payload: `Node.mark` copies the node to get one.
        switch node {
        case .scalar(let s):
            try check(builder, budget, s.mark)
            builder.scalar(s.string, quoted: s.style != .plain && s.style != .any,
                           line: s.mark?.line ?? 1, column: s.mark?.column ?? 1)
        case .mapping(let m):
            try check(builder, budget, m.mark)
            builder.begin(.mapping, line: m.mark?.line ?? 1, column: m.mark?.column ?? 1)
            // By index: iterating a Yams mapping copies all its pairs first.
            for i in m.indices {
                let (key, value) = m[i]
                try add(key, to: &builder, budget: budget)
                try add(value, to: &builder, budget: budget)
            }
            builder.end()
        case .sequence(let items):
            try check(builder, budget, items.mark)
            builder.begin(.sequence, line: items.mark?.line ?? 1, column: items.mark?.column ?? 1)
            for item in items { try add(item, to: &builder, budget: budget) }
            builder.end()
        case .alias(let alias):
            // Composing resolves aliases; an unresolved one is not content.
            throw SyntaxError(line: alias.mark?.line ?? 1, column: alias.mark?.column ?? 1,
                              message: "invalid YAML: found undefined alias")
        }
    }

    private static func check(_ builder: TreeBuilder, _ budget: Int, _ mark: Mark?) throws(SyntaxError) {
        guard builder.count >= budget else { return }
        throw SyntaxError(line: mark?.line ?? 1, column: mark?.column ?? 1,
                          message: "aliases expand this file to more than \(budget) nodes (each alias copies what it names); write the content out instead")
    }

    /// Line, column and message for an error thrown by Yams.
    static func describe(_ error: any Error, text: String) -> SyntaxError {
        guard let yaml = error as? YamlError else { return SyntaxError(line: 1, column: 1, message: "invalid YAML: \(error)") }
        func context(_ c: YamlError.Context?) -> String {
            guard let c else { return "" }
            return " (\(c.text) at line \(c.mark.line), column \(c.mark.column))"
        }
        switch yaml {
        case .scanner(let c, let problem, let mark, _), .parser(let c, let problem, let mark, _),
             .composer(let c, let problem, let mark, _):
            return SyntaxError(line: mark.line, column: mark.column, message: "invalid YAML: \(problem)\(context(c))")
        case .reader(let problem, let offset, let value, _):
            let (line, column) = lineAndColumn(ofCharacter: offset ?? 0, in: text)
            let what = value >= 0 ? " (character 0x\(String(value, radix: 16, uppercase: true)))" : ""
            return SyntaxError(line: line, column: column, message: "invalid YAML: \(problem)\(what)")
        case .duplicatedKeysInMapping(let duplicates, let c):
            return .duplicateKeys(duplicates, line: c.mark.line, column: c.mark.column)
        default:
            return SyntaxError(line: 1, column: 1, message: "invalid YAML: \(yaml)")
        }
    }

    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for (i, ch) in text.enumerated() {
            if i >= offset { break }
            if ch.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
