import BenchSupport
@testable import ExtendInput
import Foundation
import Testing

/// The YAML reader (libyaml's events) against the reader it replaced (Yams'
/// composed nodes, `YAMLComposeReference`): for every text, the same tree
/// (kinds, texts, lines, columns, structure) or the same error (message,
/// line, column). Texts: every YAML file in the repository and the shared
/// examples, hand-written cases, generated documents in every style, and
/// those documents broken at random.
@Suite struct YAMLEventReaderTests {
    /// Everything a reader gives for a text.
    enum Outcome: Equatable, CustomStringConvertible {
        case tree(Snapshot)
        case error(line: Int, column: Int, message: String)

        /// Messages compared by their scalars, as texts are.
        static func == (a: Outcome, b: Outcome) -> Bool {
            switch (a, b) {
            case (.tree(let x), .tree(let y)): return x == y
            case (.error(let l1, let c1, let m1), .error(let l2, let c2, let m2)):
                return l1 == l2 && c1 == c2 && Array(m1.unicodeScalars) == Array(m2.unicodeScalars)
            default: return false
            }
        }

        var description: String {
            switch self {
            case .tree(let s): return "tree of \(s.kinds.count) nodes, roots \(s.roots)"
            case .error(let line, let column, let message): return "\(line):\(column): \(message)"
            }
        }
    }

    /// A tree's arrays, field by field.
    struct Snapshot: Equatable {
        let roots: [Int32]
        let kinds: [UInt8]
        let lines: [Int32]
        let columns: [Int32]
        let starts: [Int32]
        let counts: [Int32]
        let texts: [String]
        let children: [Int32]
        let parents: [Int32]

        init(_ t: DocumentTree) {
            roots = t.roots
            kinds = t.records.map(\.kind.rawValue)
            lines = t.records.map(\.line)
            columns = t.records.map(\.column)
            starts = t.records.map(\.start)
            counts = t.records.map(\.count)
            texts = t.texts
            children = t.children
            parents = t.parents
        }

        /// Texts compared by their scalars: Swift's `==` would take
        /// canonically equivalent spellings for the same.
        static func == (a: Snapshot, b: Snapshot) -> Bool {
            a.roots == b.roots && a.kinds == b.kinds && a.lines == b.lines && a.columns == b.columns
                && a.starts == b.starts && a.counts == b.counts && a.children == b.children && a.parents == b.parents
                && a.texts.count == b.texts.count
                && zip(a.texts, b.texts).allSatisfy { Array($0.unicodeScalars) == Array($1.unicodeScalars) }
        }
    }

    static func outcome(_ text: String, new: Bool) -> Outcome {
        do throws(SyntaxError) {
            let tree = new ? try YAMLReader.read(text, file: "f") : try YAMLComposeReference.read(text, file: "f")
            return .tree(Snapshot(tree))
        } catch {
            return .error(line: error.line, column: error.column, message: error.message)
        }
    }

    /// Both readers' outcomes, and whether they agree.
    @discardableResult
    static func expectSame(_ text: String, _ label: @autoclosure () -> String,
                           sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let old = outcome(text, new: false)
        let new = outcome(text, new: true)
        #expect(new == old, "\(label()): event reader gave \(new), Yams' composer \(old), for \(text.debugDescription)",
                sourceLocation: sourceLocation)
        return old
    }

    // MARK: - Files

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every YAML file in the repository (not under `.build`) and in `../shared/examples`.
    static let files: [String] = {
        var found: [String] = []
        let roots = [repository, repository.deletingLastPathComponent().appendingPathComponent("shared/examples")]
        for root in roots {
            guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil,
                                                            options: [.skipsHiddenFiles]) else { continue }
            for case let url as URL in walk {
                if url.lastPathComponent.hasPrefix(".build") { walk.skipDescendants(); continue }
                if ["yaml", "yml"].contains(url.pathExtension) { found.append(url.path) }
            }
        }
        return found.sorted()
    }()

    /// The repository's own (inventory, templates, fixtures); `../shared/examples` is
    /// read too where it sits beside the repository, which a clean clone elsewhere lacks.
    @Test func theRepositoryHasYAMLFiles() {
        #expect(Self.files.filter { $0.hasPrefix(Self.repository.path + "/") }.count >= 11, "\(Self.files)")
    }

    @Test(arguments: files)
    func repositoryFile(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let outcome = Self.expectSame(text, path)
        if case .error = outcome { Issue.record("\(path) does not read: \(outcome)") }
        // Broken at random, each file errs (or not) alike too.
        var rng = SplitMix(seed: UInt64(truncatingIfNeeded: path.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        for i in 0..<40 {
            let broken = YAMLTextGenerator.mutate(text, &rng)
            Self.expectSame(broken, "\(path) mutation \(i)")
        }
    }

    @Test func generatedClusterAndTestFixtures() {
        let texts = [
            ManifestScaleTests.cluster(pods: 300, policies: 60, namespaces: 12),
            ManifestLoaderTests.kubectlList,
            InventoryLoaderTests.full,
        ]
        for (i, text) in texts.enumerated() {
            let outcome = Self.expectSame(text, "fixture \(i)")
            if case .error = outcome { Issue.record("fixture \(i) does not read: \(outcome)") }
        }
    }

    // MARK: - Hand-written

    static let cases: [String] = [
        "", " ", "\n", "# only a comment\n", "---", "---\n", "--- \n...\n", "---\n---\n", "---\n...\n---\n",
        "a", "a: b", "a: b\n", "- a\n- b\n", "[a, b]", "{a: b}", "{}", "[]", "--- []\n--- {}\n", "a:\n", "? a\n",
        "a: 1\n---\nb: 2\n...\n--- c\n", "--- |\n  literal\n  text\n", "--- >\n  folded\n  text\n\n  more\n",
        "key: |-\n  keep\n   indent\n", "key: >+\n  folded\n\n", "a: 'single ''quoted'''\nb: \"double \\\"q\\\" \\t \\n \\u00e9\"\n",
        "a: \"\"\nb: ''\nc:\nd: ~\ne: null\n", "a: b\r\nc: d\r\n", "a:\r\n  - x\r\n  - 'y'\r\n", "a: \"tab\there\"\nb: 'tab\tthere'\n",
        "é: ü\n日本: 語\n🙂: \"🙂🙂\"\n", "k: e\u{301}\n", "\"e\u{301}\": 1\n\"\u{e9}\": 2\n", "a: \"\\0nul\"\n", "a: \"\\uFEFFbom\"\n",
        "\u{FEFF}a: b\n", "a: b\u{FEFF}c\n", "a: \"\\x41\\u263A\\U0001F600\"\n", "a: \"\\N\\_\\L\\P\"\n", "a\u{2028}b: c\n", "a: b\u{85}c: d\n",
        "a: &x 1\nb: *x\n", "a: &x [1, 2]\nb: *x\nc: *x\n", "a: &x {k: v}\nb: *x\n", "- &a x\n- &a y\n- *a\n",
        "a: &x\n  b: &y\n    c: d\n  e: *y\nf: *x\n", "--- &d1 a\n--- *d1\n", "a: *nowhere\n", "a: &x [*x]\n", "&a [*a]",
        "a: 1\na: 2\n", "a: 1\nb: 2\na: 3\nb: 4\n", "b: 1\na: 2\nb: 3\na: 4\nc: 5\n", "\"a\": 1\na: 2\n", "'a': 1\n\"a\": 2\n",
        "!!str a: 1\na: 2\n", "!foo a: 1\na: 2\n", "! a: 1\na: 2\n", "!!int 1: x\n1: y\n", "? [a, b]\n: 1\n? [a, b]\n: 2\n",
        "? {a: b}\n: 1\n? {a: b}\n: 2\n", "? [a]\n: 1\n? [b]\n: 2\n", "&k a: 1\n*k : 2\n", "x: &k a\n*k : 1\na: 2\n",
        "? !!seq [a]\n: 1\n? [a]\n: 2\n", "? !!map {a: b}\n: 1\n? {a: b}\n: 2\n", "? !x [a]\n: 1\n? [a]\n: 2\n",
        "? {!!value a: n, b: c}\n: 1\n? {!!value a: n, b: c}\n: 2\n",
        "%YAML 1.1\n---\na: b\n", "%TAG !e! tag:example.com,2000:\n---\n!e!foo a: b\n", "--- !!map\na: !!str 1\n",
        "a: b: c\n", "a:\n- b\n  c: d\n", "[a, b", "{a: b", "a: 'unterminated\n", "a: \"bad \\q escape\"\n", "\ta: b\n",
        "a:\n\t- b\n", "- a\nb: c\n", "key: value\n  bad: indent\n", "a: [b, c]]\n", "@a: b\n", "`a: b\n", "a: b\n%YAML 1.1\n",
        "a: \u{1}\n", "a: \"\\uD800\"\n", "---\na: 1\n--- garbage: [\n", "a: 1\n---\na: 1\na: 2\n", "*a\n", "&a\n", "!\n", "!!\n",
        "a: &a\n", "? \n", ": \n", "- - - - x\n", "{? a, ? b}\n", "{a, b, a}\n", "[a: b, c: d]\n", "[? a : b]\n",
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
        (0..<200).map { "k\($0 % 150): \($0)" }.joined(separator: "\n"),
        (0..<40).map { "- {a: \($0), b: [x, y], c: 'z'}" }.joined(separator: "\n"),
    ]

    @Test(arguments: cases)
    func handWritten(_ text: String) {
        Self.expectSame(text, "case")
    }

    /// Keys of two kinds (a scalar and a collection) each given twice: Yams
    /// does not order them, and said them in the order of a hashed
    /// dictionary, which changes from one run to the next. The same keys,
    /// then, in an order that does not change.
    @Test func duplicateKeysOfTwoKinds() {
        let text = "? [1]\n: a\n? [1]\n: b\n? 'z'\n: c\nz: d\n"
        guard case .error(_, _, let old) = Self.outcome(text, new: false),
              case .error(let line, let column, let new) = Self.outcome(text, new: true) else {
            Issue.record("both readers should reject the text")
            return
        }
        func keys(_ message: String) -> [String] {
            message.split(separator: " appears")[0].dropFirst("key ".count).split(separator: ", ").map(String.init).sorted()
        }
        #expect(keys(new) == keys(old))
        #expect((line, column) == (1, 3))
        #expect(new == #"key "<uncovertable>", "z" appears more than once in one mapping; each key may be given only once"#)
    }

    /// Keys that name, by alias, what expands far past the budget: Yams
    /// hashed every key whole (for a billion nodes, minutes and gigabytes);
    /// the event reader stops at the budget and says so.
    @Test func aliasKeysPastTheBudget() {
        let text = Self.laughs[0] + "? *l9\n: 1\n? *l9\n: 2\n"
        guard case .error(_, _, let message) = Self.outcome(text, new: true) else {
            Issue.record("the text should be rejected")
            return
        }
        #expect(message.hasPrefix("aliases expand this file to more than"))
    }

    /// Nested aliases that expand past the budget: the same message at the
    /// same node, and an error later in the same document said first, as
    /// Yams composed a document whole before it was copied.
    static let laughs: [String] = {
        let lol = (1...9).map { i in "l\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 9).joined(separator: ", ") + "]" }
        let base = "l0: &l0 lol\n" + lol.joined(separator: "\n") + "\n"
        return [
            base,
            "---\n" + base + "---\nafter: 1\n",
            base + "l9: again\n",
            base + "zz: [unclosed\n",
            base + "later: *undefined\n",
            base + "later: *l1\n",
            base + "? *l2\n: 1\n? *l2\n: 2\n",
            base + "k: &m [*l1, *l1]\n? *m\n: 1\n? *m\n: 2\n",
            base + "...\n--- [bad\n",
            base + "...\n---\na: 1\na: 2\n",
            "a: &a [x, y, z]\n" + (1...30).map { "b\($0): [*a, *a, *a]" }.joined(separator: "\n") + "\n",
            "- &a [x, y, z, w, v, u, t, s]\n" + String(repeating: "- [*a, *a, *a, *a, *a, *a, *a, *a]\n", count: 40),
        ]
    }()

    @Test(arguments: laughs)
    func aliasBudget(_ text: String) {
        Self.expectSame(text, "aliases")
    }

    // MARK: - Generated

    @Test func generatedDocuments() {
        var rng = SplitMix(seed: 20_261_206)
        var errors = 0
        for i in 0..<600 {
            let text = YAMLTextGenerator.stream(&rng)
            if case .error = Self.expectSame(text, "generated \(i)") { errors += 1 }
            for j in 0..<6 {
                Self.expectSame(YAMLTextGenerator.mutate(text, &rng), "generated \(i) mutation \(j)")
            }
        }
        // Mostly valid YAML, some not: both paths are exercised.
        #expect(errors > 10 && errors < 300, "\(errors) of 600 generated texts were errors")
    }
}

/// A small seeded generator: the same texts on every run.
typealias SplitMix = SplitMix64
