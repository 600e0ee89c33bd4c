import ExtendCore
@testable import ExtendInput
import Testing

/// A large `kind: List` is read on every core. What a user sees must not
/// depend on that: the same objects, the same diagnostics in the same order
/// (with their lines), the same notes, the same later-definition-wins for
/// objects given twice, as when the items are read one by one.
@Suite struct ParallelListTests {
    /// 1,600 items (over the threshold) with mistakes spread through them.
    static func list() -> String {
        var out = "apiVersion: v1\nkind: List\nitems:\n"
        for n in 0..<10 { out += "- {apiVersion: v1, kind: Namespace, metadata: {name: ns-\(n)}}\n" }
        for i in 0..<1600 {
            switch i % 97 {
            case 3: out += "- {apiVersion: v1, metadata: {name: nokind-\(i), namespace: ns-1}}\n"
            case 11: out += "- {apiVersion: v2, kind: Pod, metadata: {name: badapi-\(i), namespace: ns-1}}\n"
            case 23: out += "- {apiVersion: v1, kind: Service, metadata: {name: svc-\(i), namespace: ns-2}}\n"
            case 41: out += "- {apiVersion: v1, kind: Pod, metadata: {name: badip-\(i), namespace: ns-3}, status: {phase: Running, podIP: 10.0.0.999}}\n"
            case 59:
                // A pod given again: the later definition replaces the earlier, with a warning naming both lines.
                out += "- {apiVersion: v1, kind: Pod, metadata: {name: app-\(i / 2), namespace: ns-\(i / 2 % 10), labels: {again: \"yes\"}}, status: {phase: Running, podIP: 10.9.\(i / 256).\(i % 256)}}\n"
            case 71:
                out += "- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Namespace, metadata: {name: nested-\(i)}}, {kind: Pod}]}\n"
            case 83:
                out += "- {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: pol-\(i), namespace: ns-4}, spec: {podSelector: {}, ingress: [{ports: [{port: 70000}]}]}}\n"
            default:
                out += "- {apiVersion: v1, kind: Pod, metadata: {name: app-\(i), namespace: ns-\(i % 10), labels: {app: a\(i % 7)}}, status: {phase: Running, podIP: 10.1.\(i / 256).\(i % 256)}}\n"
            }
        }
        return out
    }

    @Test func aLargeListReadsAsItemByItem() throws {
        let text = Self.list()
        let parallel = ManifestLoader.parse(text, path: "big.yaml", parallel: true)
        let serial = ManifestLoader.parse(text, path: "big.yaml", parallel: false)
        #expect(parallel.diagnostics == serial.diagnostics)
        #expect(parallel.notes == serial.notes)
        #expect(parallel.cluster == serial.cluster)
        // And what they agree on is what the file says.
        let errors = serial.diagnostics.filter { $0.severity == .error }
        // Items 3, 11 and 41 (mod 97) come 17 times in 1,600; 71 and 83, 16 times.
        #expect(errors.count == 17 * 3 + 16 * 2, "missing kind, bad apiVersion, bad pod IP; bad port, the nested list's kindless item: \(errors.count)")
        #expect(errors.map(\.location) == errors.map(\.location).sorted { Self.line($0) < Self.line($1) }, "in file order")
        #expect(serial.diagnostics.contains { $0.severity == .warning && $0.message.contains("is also defined at big.yaml:") })
        #expect(serial.notes.count == 17 && serial.notes.allSatisfy { $0.contains("skipped Service ns-2/svc-") })
        #expect(serial.cluster.namespaces.contains { $0.name == "nested-71" })
    }

    static func line(_ location: String?) -> Int {
        Int(location?.split(separator: ":")[1] ?? "") ?? 0
    }
}
