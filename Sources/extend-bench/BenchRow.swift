import ArgumentParser
import Foundation
import BenchSupport

/// A row of the table: at which size, and what `extend` is asked.
struct BenchRow: Sendable {
    let id: ID
    let title: String
    /// Multipliers of the base size: pods, policies, hosts, namespaces.
    let factors: (pods: Int, policies: Int, hosts: Int, namespaces: Int)
    let work: Work

    enum ID: String, CaseIterable, Sendable {
        case base, pods4x, all4x, explain, host, audit
        case podRelabel = "pod-relabel"
        case namespaceRelabel = "namespace-relabel"
        case matrix
        case matrixPods4x = "matrix-pods4x"
        case connections
        case connectionsPods4x = "connections-pods4x"
    }

    enum Work: Sendable {
        /// `render --output json`, every host.
        case render
        /// `render --output json`, every host, all of them in audit mode.
        case renderAudit
        /// `render --output json --host H`, H the inventory-only host most policies select.
        case renderHost
        /// `explain --output json` from a live pod to a billing-db host on 5432.
        case explain
        /// One relabel at base scale through `extend changes`: the process, the
        /// plan as it reports it, and the hosts it reaches against the hosts
        /// whose rendered digest changes.
        case incremental(Change)
        /// `matrix --output json`: who can reach whom.
        case matrix
        /// `diff --connections --output json` for one policy edit (`SyntheticCluster.policyEdit`).
        case connections
    }

    enum Change: Sendable {
        case podRelabel
        case namespaceRelabel
    }

    static let all: [BenchRow] = [
        BenchRow(id: .base, title: "base", factors: (1, 1, 1, 1), work: .render),
        BenchRow(id: .pods4x, title: "4x pods", factors: (4, 1, 1, 1), work: .render),
        BenchRow(id: .all4x, title: "4x everything", factors: (4, 4, 4, 4), work: .render),
        BenchRow(id: .audit, title: "base, every host in audit mode", factors: (1, 1, 1, 1), work: .renderAudit),
        BenchRow(id: .explain, title: "explain (base)", factors: (1, 1, 1, 1), work: .explain),
        BenchRow(id: .host, title: "render --host (base)", factors: (1, 1, 1, 1), work: .renderHost),
        BenchRow(id: .podRelabel, title: "incremental: one pod relabel (base)", factors: (1, 1, 1, 1),
                 work: .incremental(.podRelabel)),
        BenchRow(id: .namespaceRelabel, title: "incremental: one namespace relabel (base)", factors: (1, 1, 1, 1),
                 work: .incremental(.namespaceRelabel)),
        BenchRow(id: .matrix, title: "matrix (base)", factors: (1, 1, 1, 1), work: .matrix),
        BenchRow(id: .matrixPods4x, title: "matrix (4x pods)", factors: (4, 1, 1, 1), work: .matrix),
        BenchRow(id: .connections, title: "diff --connections, one policy edit (base)", factors: (1, 1, 1, 1), work: .connections),
        BenchRow(id: .connectionsPods4x, title: "diff --connections, one policy edit (4x pods)", factors: (4, 1, 1, 1),
                 work: .connections),
    ]

    /// The rows named in `list` ("base,explain"), in the table's order.
    static func parse(_ list: String) throws -> [BenchRow] {
        var wanted: Set<String> = []
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard ID(rawValue: name) != nil else {
                throw ValidationError("--rows: unknown row \"\(name)\"; rows are \(ID.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            wanted.insert(name)
        }
        guard !wanted.isEmpty else { throw ValidationError("--rows: name at least one row") }
        return all.filter { wanted.contains($0.id.rawValue) }
    }

    func scale(from base: BenchScale) -> BenchScale {
        BenchScale(pods: base.pods * factors.pods, policies: base.policies * factors.policies,
                   hosts: base.hosts * factors.hosts, namespaces: base.namespaces * factors.namespaces, seed: base.seed)
    }
}
