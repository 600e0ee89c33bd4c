import ExtendCore
import ExtendInput
import Foundation
import Testing

/// The two policies of the Weave Net / Wealth Wizards case study, as published.
@Suite struct WealthWizardsExampleTests {
    static let path: String = {
        // The bundled example keeps the case study's file exactly as published.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.appendingPathComponent("inventory/example/cluster/policies-wealth-wizards.yaml").path
    }()

    @Test
    func bothPoliciesDecodeAsTheSpecSays() throws {
        let load = ManifestLoader.load(paths: [Self.path])
        let cluster = try load.get()
        #expect(load.diagnostics.isEmpty)
        #expect(cluster.policies.map(\.id) == ["live/namespace-isolation-live", "live/elb-isolation-live"])

        // No podSelector: every pod of "live". One rule, one peer: pods of any
        // label (podSelector {}) in namespaces labelled name=live, both in one peer.
        let isolation = cluster.policies[0]
        #expect(isolation.podSelector == .everything)
        #expect(isolation.policyTypes == [.ingress])
        #expect(isolation.egress.isEmpty)
        #expect(isolation.ingress == [NetworkPolicy.Rule(peers: [
            .workloads(podSelector: .everything, namespaceSelector: LabelSelector(matchLabels: ["name": "live"])),
        ])])
        #expect(isolation.origin == "\(Self.path):3")

        // The ingress controller: TCP 443 and 80 from anywhere, then `{}`,
        // which admits everything on its own.
        let elb = cluster.policies[1]
        #expect(elb.podSelector == LabelSelector(matchLabels: ["name": "ingress-controller"]))
        #expect(elb.policyTypes == [.ingress])
        #expect(elb.ingress == [
            NetworkPolicy.Rule(peers: [], ports: [
                .init(proto: .tcp, port: .number(443)), .init(proto: .tcp, port: .number(80)),
            ]),
            NetworkPolicy.Rule(),
        ])
        #expect(elb.ingress[1].allowsAllPeers && elb.ingress[1].allowsAllPorts)

        #expect(cluster.namespaces == [Namespace(name: "live", implied: true)])
        #expect(load.notes.count == 1)
    }
}
