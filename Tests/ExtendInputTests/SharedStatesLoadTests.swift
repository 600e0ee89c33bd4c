import ExtendCore
import ExtendInput
import Foundation
import Testing

/// `diff --connections` reads the current and the proposed state together,
/// each file once: every state must come out exactly as reading its files
/// alone gives it (cluster, diagnostics in order, notes).
@Suite struct SharedStatesLoadTests {
    /// A large list (read on every core), a duplicate inside it, a bad object
    /// and a skipped kind, so that diagnostics and notes interleave.
    static func snapshot() -> String {
        var items: [String] = [#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "live", "labels": {"env": "live"}}}"#]
        for i in 0..<1_500 {
            items.append(#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p\#(i)", "namespace": "live", "labels": {"app": "a\#(i % 7)"}}, "status": {"phase": "Running", "podIP": "10.1.\#(i / 250).\#(i % 250 + 1)"}}"#)
        }
        items.insert(#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p3", "namespace": "live"}, "status": {"phase": "Running", "podIP": "10.9.0.3"}}"#, at: 700)
        items.insert(#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad", "namespace": "live"}, "status": {"phase": "Done"}}"#, at: 900)
        items.insert(#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "live"}}"#, at: 1_000)
        items.append(#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "live"}, "spec": {"podSelector": {}}}"#)
        return #"{"apiVersion": "v1", "kind": "List", "items": [\#n"# + items.joined(separator: ",\n") + "\n]}\n"
    }

    @Test("each state read together equals it read alone: the shared file's objects, duplicates across files, errors and notes in order")
    func statesEqualSeparateLoads() throws {
        let tmp = try TempFiles()
        let cluster = try tmp.write("cluster.json", Self.snapshot())
        let change = try tmp.write("change.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: live}
            spec: {podSelector: {}, ingress: [{}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: new, namespace: other}
            status: {phase: Running, podIP: 10.2.0.1}
            """)
        let states = [[cluster], [cluster, change], [change, cluster], [tmp.root + "/missing.yaml", cluster]]
        let together = ManifestLoader.load(states: states)
        #expect(together.count == states.count)
        for (paths, load) in zip(states, together) {
            let alone = ManifestLoader.load(paths: paths)
            #expect(load.cluster == alone.cluster, "\(paths)")
            #expect(load.diagnostics == alone.diagnostics, "\(paths)")
            #expect(load.notes == alone.notes, "\(paths)")
        }
        // What the states hold differs as their files do: the test compares something.
        #expect(together[0].cluster.policies.first?.ingress.isEmpty == true)
        #expect(together[1].cluster.policies.first?.ingress.count == 1)
        #expect(together[1].diagnostics.contains { $0.description.contains("NetworkPolicy live/np is also defined at") })
        #expect(together[0].diagnostics.contains { $0.description.contains("Pod live/p3 is also defined at") })
        #expect(together[0].diagnostics.contains { $0.description.contains(#"phase "Done" is not a pod phase"#) })
        #expect(together[3].diagnostics.first?.description.contains("no such file or directory") == true)
        #expect(together[0].notes.contains { $0.contains("skipped Service live/web") })
    }
}
