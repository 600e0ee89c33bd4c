import ExtendCore
import Testing

/// Warnings at scale: a kind with many warnings is shown as its first few and
/// a count; errors are never grouped; the flag lists everything.
@Suite struct DiagnosticReportTests {
    static let many: [Diagnostic] = (0..<40).map { i in
        .warning("p.yaml:\(100 + i)", code: "peer-selects-nothing", "policy ns/p\(100 + i): ingress rule #1 peer #1 selects nothing")
    } + [
        .warning("p.yaml:1", code: "redundant-rules", "policy ns/a: ingress rule #2 admits all traffic"),
        .warning("p.yaml:2", "a warning of no kind"),
        .error("i.yaml:3", "bad address"),
        .error("i.yaml:4", "another bad address"),
    ]

    @Test("a kind with many warnings shows its first three and a count; other lines stay whole")
    func grouped() {
        let lines = Diagnostic.reportLines(Self.many, limit: 3)
        #expect(lines.prefix(2) == ["i.yaml:3: error: bad address", "i.yaml:4: error: another bad address"])
        #expect(lines.filter { $0.contains("selects nothing") }.count == 3)
        #expect(lines.contains("warning: … and 37 more peer-selects-nothing warnings like these (40 in all; --all-warnings lists every one)"))
        #expect(lines.contains("p.yaml:1: warning: policy ns/a: ingress rule #2 admits all traffic"))
        #expect(lines.contains("p.yaml:2: warning: a warning of no kind"))
        #expect(lines.count == 2 + 3 + 1 + 2)
    }

    @Test("without a limit every diagnostic is listed, sorted")
    func all() {
        let lines = Diagnostic.reportLines(Self.many, limit: nil)
        #expect(lines == Self.many.sorted().map(\.description))
        #expect(lines.count == 44)
    }

    @Test("errors are listed however many there are")
    func errorsAllListed() {
        let errors = (0..<10).map { Diagnostic.error("f.yaml:\($0 + 1)", "bad") }
        #expect(Diagnostic.reportLines(errors, limit: 3).count == 10)
    }
}
