import ExtendCore
import ExtendInput
import Foundation
import Testing

/// Input that is not YAML at all, or not the right shape, gives a clear
/// `FILE:LINE:COLUMN` error and never a crash, for both loaders.
@Suite struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        /// Expected first diagnostic's text for the inventory loader.
        let expected: String
        var testDescription: String { name }
        init(_ name: String, _ text: String, _ expected: String) {
            self.init(name, Array(text.utf8), expected)
        }
        init(_ name: String, _ bytes: [UInt8], _ expected: String) {
            self.name = name
            self.bytes = bytes
            self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("empty file", "",
             "F:1:1: error: the file is empty; expected an inventory beginning with apiVersion: netpol-extend/v1 and kind: Inventory"),
        Case("only comments", "# nothing here\n\n",
             "F:1:1: error: the file is empty; expected an inventory beginning with apiVersion: netpol-extend/v1 and kind: Inventory"),
        Case("braces", "{{{",
             "F:2:1: error: invalid YAML: did not find expected node content (while parsing a flow node at line 2, column 1)"),
        Case("truncated flow mapping", "apiVersion: netpol-extend/v1\nkind: Inventory\nhosts: [{name: h1, namespace: default",
             "F:4:1: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 3, column 9)"),
        Case("truncated quoted string", "apiVersion: \"netpol-extend/v1\nkind: Inventory\n",
             "F:3:1: error: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1, column 13)"),
        Case("bad indentation", "apiVersion: netpol-extend/v1\n kind: Inventory\n",
             "F:2:6: error: invalid YAML: mapping values are not allowed in this context"),
        Case("tab indentation", "hosts:\n\t- name: a\n",
             "F:2:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token at line 2, column 1)"),
        Case("duplicate key", "apiVersion: netpol-extend/v1\nkind: Inventory\nkind: Inventory\n",
             #"F:2:1: error: key "kind" appears more than once in one mapping; each key may be given only once"#),
        Case("scalar document", "just some words\n",
             #"F:1:1: error: expected a mapping, got the string "just some words""#),
        Case("list document", "- a\n- b\n",
             "F:1:1: error: expected a mapping, got a list"),
        Case("number document", "42\n",
             "F:1:1: error: expected a mapping, got the number 42"),
        Case("invalid UTF-8", [0x6B, 0x69, 0x6E, 0x64, 0x3A, 0x20, 0xC3, 0x28, 0x0A],
             "F:1:7: error: not UTF-8 text (byte 0xC3 cannot start or continue a character); inventories and manifests must be YAML or JSON in UTF-8"),
        Case("binary junk", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFE, 0x00, 0x10],
             "F:1:11: error: not UTF-8 text (byte 0xFF cannot start or continue a character); inventories and manifests must be YAML or JSON in UTF-8"),
        Case("control character", "kind: Inv\u{0}entory\n",
             "F:1:10: error: invalid YAML: control characters are not allowed (character 0x0)"),
        Case("undefined alias", "kind: *nothing\n",
             "F:1:7: error: invalid YAML: found undefined alias"),
    ]

    @Test(arguments: cases)
    func inventoryReportsInsteadOfCrashing(_ c: Case) throws {
        let tmp = try TempFiles()
        let path = try tmp.write("F", Data(c.bytes))
        let load = InventoryLoader.load(path: path)
        #expect(load.inventory == nil)
        let first = load.diagnostics.first?.description.replacingOccurrences(of: path, with: "F")
        #expect(first == c.expected)
    }

    @Test(arguments: cases)
    func manifestsReportInsteadOfCrashing(_ c: Case) throws {
        let tmp = try TempFiles()
        let path = try tmp.write("F", Data(c.bytes))
        let load = ManifestLoader.load(paths: [path])
        let texts = load.diagnostics.map { $0.description.replacingOccurrences(of: path, with: "F") }
        if c.name == "empty file" || c.name == "only comments" {
            // An empty manifest is simply nothing.
            #expect(texts.isEmpty)
            #expect(load.cluster == ClusterState())
        } else if c.name == "duplicate key" || c.name == "scalar document" || c.name == "list document"
                    || c.name == "number document" {
            #expect(load.hasErrors)
        } else {
            #expect(texts == [c.expected])
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 0..<300, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = InventoryLoader.parse(text, path: "F")
            _ = ManifestLoader.parse(text, path: "F")
        }
    }

    @Test func truncationsOfAValidFileNeverCrash() {
        let text = InventoryLoaderTests.full
        for end in stride(from: 0, through: text.utf8.count, by: 7) {
            let prefix = String(decoding: Array(text.utf8.prefix(end)), as: UTF8.self)
            let load = InventoryLoader.parse(prefix, path: "F")
            if load.inventory == nil { #expect(load.hasErrors) }
        }
    }

    @Test func byteOrderMarkAndCRLFAreFine() throws {
        let text = "\u{FEFF}apiVersion: netpol-extend/v1\r\nkind: Inventory\r\nhosts:\r\n  - {name: h1, namespace: default, addresses: [198.18.1.1]}\r\n"
        let tmp = try TempFiles()
        let path = try tmp.write("bom.yaml", text)
        let inventory = try InventoryLoader.load(path: path).get()
        #expect(inventory.hosts.first?.origin == "\(path):4")
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let text = String(repeating: "[", count: 100_000)
        let load = ManifestLoader.parse(text, path: "F")
        #expect(load.hasErrors)
    }
}
