import ExtendController
import ExtendCore
import Foundation
import KubeSupport
import Testing

/// The controller keeps the companion NetworkPolicies in the stand-in API
/// server as the inventory, labels and policies change (the bundled
/// example: `billing-db` admits backup-01 on egress, `namespace-isolation-live`
/// admits the hosts of namespace `live` on ingress), and never touches a
/// policy without both our labels.
@Suite(.serialized) struct CompanionReconcilerTests {
    static let billing = "billing-db-npx-hosts"
    static let isolation = "namespace-isolation-live-npx-hosts"
    static let policiesPath = "/apis/networking.k8s.io/v1/namespaces/live/networkpolicies"

    static func inventory() throws -> String { try String(contentsOfFile: ExampleCluster.inventory, encoding: .utf8) }

    static func withExample(_ arguments: [String] = [], preloading extra: [[String: Any]] = [],
                            _ body: (FakeAPIServer) async throws -> Void) async throws {
        var load = try JSONSerialization.jsonObject(with: try ExampleCluster.jsonList()) as? [String: Any] ?? [:]
        load["items"] = (load["items"] as? [Any] ?? []) + extra
        try await FakeAPIServer.with(["--no-default-namespaces"] + arguments, loading: try JSONSerialization.data(withJSONObject: load), body)
    }

    /// A NetworkPolicy in `live` named `name`, admitting 203.0.113.9 on ingress, with `labels`.
    static func policy(_ name: String, labels: [String: String]) -> [String: Any] {
        ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": ["name": name, "namespace": "live", "labels": labels],
         "spec": ["podSelector": [:] as [String: Any], "policyTypes": ["Ingress"],
                  "ingress": [["from": [["ipBlock": ["cidr": "203.0.113.9/32"]]]]]]]
    }

    static let ours = ["app.kubernetes.io/managed-by": "netpol-extend", "netpol-extend.io/companion": "true"]

    @Test func companionsFollowHostsAddedReaddressedRelabelledAndRemoved() async throws {
        try await Self.withExample { server in
            let controller = try CompanionController(server, inventory: try Self.inventory())
            var live: [String: StoredPolicy] = [:]
            try await eventually("both companions") {
                live = try await server.policies(in: "live")
                return live[Self.billing] != nil && live[Self.isolation] != nil
            }
            let billing = try #require(live[Self.billing]), isolation = try #require(live[Self.isolation])
            #expect(billing.labels == Self.ours && isolation.labels == Self.ours)
            #expect(billing.cidrs == ["198.18.2.10/32"] && billing.ports == ["TCP/873"], "backup-01 on its rsync port: \(billing)")
            #expect(isolation.cidrs == ["198.18.1.10/32", "198.18.1.11/32", "2001:db8:1::10/128"], "\(isolation)")
            let source = try #require(live["billing-db"])
            #expect(billing.owners == ["NetworkPolicy/billing-db/\(source.uid)/controller=false/block=false"],
                    "owned by its policy, so deleting the policy deletes it: \(billing.owners)")

            // Added: a second reporting host in live.
            try controller.edit { $0.replacingOccurrences(of: "  # A host in the inventory-only namespace", with: """
                  - name: reporting-02
                    namespace: live
                    labels: {app: reporting}
                    addresses: [198.18.1.12]

                  # A host in the inventory-only namespace
                """) }
            try await eventually("reporting-02 in the isolation companion") {
                try await server.policies(in: "live")[Self.isolation]?.cidrs.contains("198.18.1.12/32") == true
            }
            // Readdressed: backup-01 moves; its companion is updated in place.
            try controller.edit { $0.replacingOccurrences(of: "addresses: [198.18.2.10]", with: "addresses: [198.18.2.11]") }
            try await eventually("backup-01's new address") {
                try await server.policies(in: "live")[Self.billing]?.cidrs == ["198.18.2.11/32"]
            }
            #expect(try await server.policies(in: "live")[Self.billing]?.uid == billing.uid, "updated, not recreated")
            // Removed: reporting-01 leaves the inventory.
            try controller.edit { $0.replacingOccurrences(of: """
                  - name: reporting-01
                    namespace: live
                    labels: {app: reporting, tier: data}
                    addresses: [198.18.1.11]
                    ports:
                      - {name: http, port: 8080, protocol: TCP}

                """, with: "") }
            try await eventually("reporting-01 out of the isolation companion") {
                try await server.policies(in: "live")[Self.isolation]?.cidrs == ["198.18.1.10/32", "198.18.1.12/32", "2001:db8:1::10/128"]
            }
            // Relabelled out: no host is app=backup any more, so billing-db admits none: its companion goes.
            try controller.edit { $0.replacingOccurrences(of: "labels: {app: backup}", with: "labels: {app: archive}") }
            try await eventually("the billing companion deleted") { try await server.policies(in: "live")[Self.billing] == nil }
            // Relabelled back in: created again; then removed from the inventory (the last host in it): deleted.
            try controller.edit { $0.replacingOccurrences(of: "labels: {app: archive}", with: "labels: {app: backup}") }
            try await eventually("the billing companion again") {
                try await server.policies(in: "live")[Self.billing]?.cidrs == ["198.18.2.11/32"]
            }
            try controller.edit { text in text.components(separatedBy: "  - name: backup-01\n")[0] }
            try await eventually("the billing companion deleted with its only host") {
                try await server.policies(in: "live")[Self.billing] == nil
            }
            await controller.stop()
            #expect(controller.events.all.filter { $0.reason.hasPrefix("Companion") }.isEmpty, "\(controller.events.all)")
        }
    }

    @Test func aPolicyEditedUpdatesItsCompanionAndDeletedDeletesIt() async throws {
        try await Self.withExample { server in
            let controller = try CompanionController(server, inventory: try Self.inventory())
            try await eventually("the billing companion") { try await server.policies(in: "live")[Self.billing] != nil }
            // The egress rule now admits backup-01 on 2222 instead of its rsync port.
            let edited = try await server.offPool { server in
                try server.replaceSpec(Self.policiesPath + "/billing-db", merging: ["egress": [[
                    "to": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "legacy"]],
                            "podSelector": ["matchLabels": ["app": "backup"]]]],
                    "ports": [["port": 2222, "protocol": "TCP"]]]]])
            }
            #expect(edited)
            try await eventually("the companion on port 2222") {
                try await server.policies(in: "live")[Self.billing]?.ports == ["TCP/2222"]
            }
            try await server.offPool { _ = try $0.delete(Self.policiesPath + "/billing-db") }
            try await eventually("the companion of the deleted policy deleted") {
                try await server.policies(in: "live")[Self.billing] == nil
            }
            #expect(try await server.policies(in: "live")[Self.isolation] != nil, "the other policy's companion stays")
            await controller.stop()
        }
    }

    @Test func aCompanionEditedOrDeletedByHandIsPutBack() async throws {
        try await Self.withExample { server in
            let controller = try CompanionController(server, inventory: try Self.inventory())
            try await eventually("the billing companion") { try await server.policies(in: "live")[Self.billing] != nil }
            let edited = try await server.offPool { server in
                try server.replaceSpec(Self.policiesPath + "/" + Self.billing, merging: ["egress": [["to": [["ipBlock": ["cidr": "0.0.0.0/0"]]]]]])
            }
            #expect(edited)
            try await eventually("the edit undone") {
                let c = try await server.policies(in: "live")[Self.billing]
                return c?.cidrs == ["198.18.2.10/32"] && c?.ports == ["TCP/873"]
            }
            try await server.offPool { _ = try $0.delete(Self.policiesPath + "/" + Self.billing) }
            try await eventually("the companion created again") { try await server.policies(in: "live")[Self.billing] != nil }
            await controller.stop()
        }
    }

    @Test func aPolicyNotOursWithTheCompanionsNameIsNeverTouchedAndReported() async throws {
        // In the way: one without labels, one with only one of ours; stale and ours: one whose policy is gone.
        try await Self.withExample(preloading: [
            Self.policy(Self.billing, labels: [:]),
            Self.policy(Self.isolation, labels: ["app.kubernetes.io/managed-by": "netpol-extend"]),
            Self.policy("retired-npx-hosts", labels: Self.ours),
        ]) { server in
            let before = try await server.policies(in: "live")
            let controller = try CompanionController(server, inventory: try Self.inventory())
            try await eventually("both conflicts reported") {
                Set(controller.events.all.filter { $0.reason == "CompanionNameTaken" }.map(\.regarding))
                    == ["policy live/billing-db", "policy live/namespace-isolation-live"]
            }
            try await eventually("the stale companion deleted") { try await server.policies(in: "live")["retired-npx-hosts"] == nil }
            // A change that would alter both companions, were they ours.
            try controller.edit { $0.replacingOccurrences(of: "198.18.2.10", with: "198.18.2.11")
                .replacingOccurrences(of: "198.18.1.11", with: "198.18.1.13") }
            try await Task.sleep(for: .seconds(2))
            let after = try await server.policies(in: "live")
            for name in [Self.billing, Self.isolation] {
                #expect(after[name] == before[name], "\(name) is not ours and stays as it was")
            }
            let writes = try await server.policyWrites()
            #expect(writes == ["delete \(Self.policiesPath)/retired-npx-hosts"], "the only write is the stale companion's delete: \(writes)")
            let reported = controller.events.all.filter { $0.reason == "CompanionNameTaken" }
            #expect(reported.count == 2, "each reported once while it lasts: \(reported)")
            #expect(reported.allSatisfy { $0.kind == .warning && $0.message.contains("rename one of them") })

            // Its owner deletes the policy in the way: the companion takes the name.
            try await server.offPool { _ = try $0.delete(Self.policiesPath + "/" + Self.billing) }
            try await eventually("the billing companion created") {
                try await server.policies(in: "live")[Self.billing]?.labels == Self.ours
            }
            await controller.stop()
        }
    }

    @Test func aDryRunSaysWhatItWouldDoAndWritesNothing() async throws {
        try await Self.withExample(preloading: [Self.policy("retired-npx-hosts", labels: Self.ours)]) { server in
            let controller = try CompanionController(server, inventory: try Self.inventory(), dryRun: true)
            try await eventually("the plan said") {
                controller.log.text.contains("companion live/\(Self.billing): would create (companion of billing-db; admits 198.18.2.10/32)")
                    && controller.log.text.contains("companion live/retired-npx-hosts: would delete")
            }
            // A later change is said again, with what it would hold then.
            try controller.edit { $0.replacingOccurrences(of: "198.18.2.10", with: "198.18.2.11") }
            try await eventually("the edit said") {
                controller.log.text.contains("companion live/\(Self.billing): would create (companion of billing-db; admits 198.18.2.11/32)")
            }
            try await Task.sleep(for: .seconds(1))
            await controller.stop()
            #expect(try await server.policyWrites().isEmpty, "nothing written")
            #expect(try await server.policies(in: "live")["retired-npx-hosts"] != nil)
        }
    }

    @Test func aRefusedWriteIsReportedAndTriedAgainUntilItTakes() async throws {
        try await Self.withExample(["--forbid", "networkpolicies:create,update,patch,delete"]) { server in
            let controller = try CompanionController(server, inventory: try Self.inventory())
            try await eventually("the refusal reported") {
                controller.events.all.contains { $0.reason == "CompanionFailed" && $0.kind == .warning
                    && $0.message.contains("needs create, update, patch and delete on networkpolicies.networking.k8s.io cluster-wide") }
            }
            #expect(try await server.policies(in: "live")[Self.billing] == nil)
            try await eventually("/readyz naming the failing writes") {
                controller.status.snapshot.problems.contains { $0.hasPrefix("companions: 2 write(s) failing (live/billing-db-npx-hosts: cannot write") }
            }
            // The ClusterRole is applied: the next attempt takes.
            try await server.offPool { _ = try $0.adminCall("POST", "/forbid", body: ["rules": [String]()]) }
            try await eventually("both companions") {
                let live = try await server.policies(in: "live")
                return live[Self.billing] != nil && live[Self.isolation] != nil
            }
            try await eventually("/readyz without the problem") { !controller.status.snapshot.problems.contains { $0.hasPrefix("companions:") } }
            await controller.stop()
        }
    }

    @Test func aStandbyWritesNothingUntilItLeads() async throws {
        try await Self.withExample { server in
            let controller = try CompanionController(server, inventory: try Self.inventory(), leading: false)
            try await Task.sleep(for: .seconds(2))
            #expect(try await server.policyWrites().isEmpty, "a standby writes no companion")
            controller.leadership.set(true)
            try await eventually("the new leader's companions") {
                let live = try await server.policies(in: "live")
                return live[Self.billing] != nil && live[Self.isolation] != nil
            }
            await controller.stop()
        }
    }
}
