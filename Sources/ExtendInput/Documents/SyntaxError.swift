/// Text that is not valid YAML or JSON: where the reader stopped and why.
/// `SourceFile` turns it into the file's one diagnostic.
struct SyntaxError: Error {
    let line: Int
    let column: Int
    /// Begins "invalid YAML:" or "invalid JSON:", or names a key given twice.
    let message: String
}

extension SyntaxError {
    /// Keys given twice in one mapping, at the first of them; YAML and JSON
    /// say it in the same words.
    static func duplicateKeys(_ keys: [String], line: Int, column: Int) -> SyntaxError {
        let quoted = keys.map { "\"\($0)\"" }.joined(separator: ", ")
        return SyntaxError(line: line, column: column,
                           message: "key \(quoted) appears more than once in one mapping; each key may be given only once")
    }
}
