import Foundation

/// One input file, read as UTF-8 and parsed into documents: JSON by the JSON
/// reader, YAML by the YAML reader (Yams' libyaml), both into the same tree,
/// so one decoder reads either and both report `FILE:LINE:COLUMN`. Reading
/// and parsing never crash: a file that cannot be used leaves a diagnostic
/// and yields nil.
struct SourceFile {
    /// The file's documents; an empty file has none. Null documents (a bare
    /// `---`) are kept so callers can say where they are, or skip them.
    let tree: DocumentTree

    private init(tree: DocumentTree) {
        self.tree = tree
    }

    var path: String { tree.file }

    /// Which reader reads a file, when the caller knows (tests compare the two).
    enum Syntax {
        case json
        case yaml
    }

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

    /// With `syntax` nil the text decides, as it does for kubectl: text that
    /// begins as JSON can (`{` or `[`) is read as JSON, the rest as YAML. JSON
    /// that is not valid is an error in a `.json` file; in any other it may
    /// be YAML's flow style (`{a: 1}`), and the YAML reader reads it.
    static func parse(text: String, path: String, problems: Problems, syntax: Syntax? = nil) -> SourceFile? {
        // A byte order mark is not content; libyaml, told the encoding, would read it as such.
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        do throws(SyntaxError) {
            switch syntax {
            case .json:
                return SourceFile(tree: try JSONReader.read(text, file: path))
            case .yaml:
                return SourceFile(tree: try YAMLReader.read(text, file: path))
            case nil:
                guard beginsAsJSON(text) else { return SourceFile(tree: try YAMLReader.read(text, file: path)) }
                do throws(SyntaxError) {
                    return SourceFile(tree: try JSONReader.read(text, file: path))
                } catch {
                    if (path as NSString).pathExtension.lowercased() == "json" { throw error }
                }
                return SourceFile(tree: try YAMLReader.read(text, file: path))
            }
        } catch {
            problems.error("\(path):\(error.line):\(error.column)", error.message)
            return nil
        }
    }

    private static func beginsAsJSON(_ text: String) -> Bool {
        let first = text.utf8.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// The root cursors of the documents that are not empty.
    func roots(_ problems: Problems) -> [Cursor] {
        tree.roots.map { Cursor(tree: tree, id: $0, problems: problems) }
            .filter { !$0.isNull }
    }
}

extension SourceFile {
    /// The file's text, or nil (with a diagnostic at the first bad byte) when
    /// it is not UTF-8: binary junk must be named as such, not half-parsed.
    static func utf8Text(_ data: Data, path: String, problems: Problems) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        // Decoding replaces bad bytes with U+FFFD; only then is the slow scan needed.
        guard containsReplacementCharacter(text), let bad = firstInvalidUTF8Offset(data) else { return text }
        let before = data.prefix(bad)
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
        let column = String(decoding: data[lineStart..<bad], as: UTF8.self).unicodeScalars.count + 1
        let byte = String(data[bad], radix: 16, uppercase: true)
        problems.error("\(path):\(line):\(column)",
                       "not UTF-8 text (byte 0x\(byte.count == 1 ? "0" + byte : byte) cannot start or continue a character); inventories and manifests must be YAML or JSON in UTF-8")
        return nil
    }

    /// Whether U+FFFD (EF BF BD in UTF-8) is in the text: a byte scan, much
    /// quicker than decoding the characters to look.
    private static func containsReplacementCharacter(_ text: String) -> Bool {
        let scan = { (bytes: UnsafeBufferPointer<UInt8>) -> Bool in
            var i = 0
            while i + 2 < bytes.count {
                if bytes[i] == 0xEF, bytes[i + 1] == 0xBF, bytes[i + 2] == 0xBD { return true }
                i += 1
            }
            return false
        }
        return text.utf8.withContiguousStorageIfAvailable(scan) ?? Array(text.utf8).withUnsafeBufferPointer(scan)
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
}
