/// libyaml's errors in the words Yams gave them: its problem, what it was
/// reading and where, at libyaml's mark counted from 1.
extension YAMLReader {
    static func describe(_ failure: YAMLEventParser.Failure, text: String) -> SyntaxError {
        switch failure.stage {
        case .reader(let byteOffset, let value):
            // Yams counts the offset in characters, where a character begins at it.
            let index = text.utf8.index(text.utf8.startIndex, offsetBy: byteOffset, limitedBy: text.utf8.endIndex)?
                .samePosition(in: text)
            let offset = index.map { text.distance(from: text.startIndex, to: $0) } ?? 0
            let (line, column) = lineAndColumn(ofCharacter: offset, in: text)
            let what = value >= 0 ? " (character 0x\(String(value, radix: 16, uppercase: true)))" : ""
            return SyntaxError(line: line, column: column, message: "invalid YAML: \(failure.problem)\(what)")
        case .scanner, .parser:
            let context = failure.context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return SyntaxError(line: failure.mark.line, column: failure.mark.column,
                               message: "invalid YAML: \(failure.problem)\(context)")
        case .memory:
            return SyntaxError(line: 1, column: 1, message: "invalid YAML: Memory error")
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
