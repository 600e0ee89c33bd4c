import Foundation
import Yams

/// One input file, read as UTF-8 and parsed into YAML documents (JSON is
/// YAML, so JSON files take the same path and their errors carry lines too).
/// Reading and parsing never crash: a file that cannot be used leaves a
/// `FILE:LINE:COLUMN` diagnostic and yields nil.
struct SourceFile {
    let path: String
    /// The documents in order; an empty file has none. Null documents (a bare
    /// `---`) are kept so callers can say where they are, or skip them.
    let documents: [Node]

    static func read(path: String, problems: Problems) -> SourceFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problems.error(path, "no such file or directory")
            return nil
        }
        guard !isDirectory.boolValue else {
            problems.error(path, "is a directory; expected a YAML or JSON file")
            return nil
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            problems.error(path, "cannot read the file: \(error.localizedDescription)")
            return nil
        }
        guard let text = SourceFile.utf8Text(data, path: path, problems: problems) else { return nil }
        return parse(text: text, path: path, problems: problems)
    }

    static func parse(text: String, path: String, problems: Problems) -> SourceFile? {
        // A byte order mark is not content; libyaml, told the encoding, would read it as such.
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        var documents: [Node] = []
        do {
            // The basic resolver leaves every scalar untyped: Cursor decides
            // what a scalar means (YAML 1.2 core rules), and the regular
            // expressions of the default resolver stay off the hot path.
            var stream = try Yams.compose_all(yaml: text, .basic, .default, .utf8)
            while let node = stream.next() { documents.append(node) }
            if let error = stream.error { throw error }
        } catch {
            let (line, column, message) = SourceFile.describe(error, text: text)
            problems.error("\(path):\(line):\(column)", message)
            return nil
        }
        return SourceFile(path: path, documents: documents)
    }

    /// The root cursors of the documents that are not empty.
    func roots(_ problems: Problems) -> [Cursor] {
        documents.map { Cursor(node: $0, file: path, path: "", problems: problems) }
            .filter { !$0.isNull }
    }
}

extension SourceFile {
    /// The file's text, or nil (with a diagnostic at the first bad byte) when
    /// it is not UTF-8: binary junk must be named as such, not half-parsed.
    static func utf8Text(_ data: Data, path: String, problems: Problems) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        // Decoding replaces bad bytes with U+FFFD; only then is the slow scan needed.
        guard text.unicodeScalars.contains("\u{FFFD}"), let bad = firstInvalidUTF8Offset(data) else { return text }
        let before = data.prefix(bad)
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
        let column = String(decoding: data[lineStart..<bad], as: UTF8.self).unicodeScalars.count + 1
        let byte = String(data[bad], radix: 16, uppercase: true)
        problems.error("\(path):\(line):\(column)",
                       "not UTF-8 text (byte 0x\(byte.count == 1 ? "0" + byte : byte) cannot start or continue a character); inventories and manifests must be YAML or JSON in UTF-8")
        return nil
    }

    private static func firstInvalidUTF8Offset(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = data.startIndex
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Line, column and message for an error thrown by Yams.
    static func describe(_ error: any Error, text: String) -> (Int, Int, String) {
        guard let yaml = error as? YamlError else { return (1, 1, "invalid YAML: \(error)") }
        func context(_ c: YamlError.Context?) -> String {
            guard let c else { return "" }
            return " (\(c.text) at line \(c.mark.line), column \(c.mark.column))"
        }
        switch yaml {
        case .scanner(let c, let problem, let mark, _), .parser(let c, let problem, let mark, _),
             .composer(let c, let problem, let mark, _):
            return (mark.line, mark.column, "invalid YAML: \(problem)\(context(c))")
        case .reader(let problem, let offset, let value, _):
            let (line, column) = lineAndColumn(ofCharacter: offset ?? 0, in: text)
            let what = value >= 0 ? " (character 0x\(String(value, radix: 16, uppercase: true)))" : ""
            return (line, column, "invalid YAML: \(problem)\(what)")
        case .duplicatedKeysInMapping(let duplicates, let c):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return (c.mark.line, c.mark.column,
                    "key \(keys) appears more than once in one mapping; each key may be given only once")
        default:
            return (1, 1, "invalid YAML: \(yaml)")
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
