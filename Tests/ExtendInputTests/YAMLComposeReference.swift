@testable import ExtendInput
import Yams

/// The YAML reader as it was before it read libyaml's events: Yams composes
/// each document and the nodes are copied into a `DocumentTree`. Kept here
/// only as the reference the event reader must match, tree for tree and
/// error for error.
enum YAMLComposeReference {
    static func read(_ text: String, file: String) throws(SyntaxError) -> DocumentTree {
        let budget = 4 * text.utf8.count + 1024
        var builder = TreeBuilder(expectedNodes: text.utf8.count / 7)
        do {
            var stream = try Yams.compose_all(yaml: text, .basic, .default, .utf8)
            while let node = stream.next() {
                try add(node, to: &builder, budget: budget)
            }
            if let error = stream.error { throw error }
        } catch let error as SyntaxError {
            throw error
        } catch {
            throw describe(error, text: text)
        }
        return builder.finish(file: file)
    }

    private static func add(_ node: Node, to builder: inout TreeBuilder, budget: Int) throws(SyntaxError) {
        switch node {
        case .scalar(let s):
            try check(builder, budget, s.mark)
            builder.scalar(s.string, quoted: s.style != .plain && s.style != .any,
                           line: s.mark?.line ?? 1, column: s.mark?.column ?? 1)
        case .mapping(let m):
            try check(builder, budget, m.mark)
            builder.begin(.mapping, line: m.mark?.line ?? 1, column: m.mark?.column ?? 1)
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
            throw SyntaxError(line: alias.mark?.line ?? 1, column: alias.mark?.column ?? 1,
                              message: "invalid YAML: found undefined alias")
        }
    }

    private static func check(_ builder: TreeBuilder, _ budget: Int, _ mark: Mark?) throws(SyntaxError) {
        guard builder.count >= budget else { return }
        throw SyntaxError(line: mark?.line ?? 1, column: mark?.column ?? 1,
                          message: "aliases expand this file to more than \(budget) nodes (each alias copies what it names); write the content out instead")
    }

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
            let (line, column) = YAMLReader.lineAndColumn(ofCharacter: offset ?? 0, in: text)
            let what = value >= 0 ? " (character 0x\(String(value, radix: 16, uppercase: true)))" : ""
            return SyntaxError(line: line, column: column, message: "invalid YAML: \(problem)\(what)")
        case .duplicatedKeysInMapping(let duplicates, let c):
            return .duplicateKeys(duplicates, line: c.mark.line, column: c.mark.column)
        default:
            return SyntaxError(line: 1, column: 1, message: "invalid YAML: \(yaml)")
        }
    }
}
