import ConformanceSupport
import ExtendCore
import LabSupport
import Testing

/// A policy change on a running universe: the hosts hold one case's rules,
/// then each is planned and applied towards the next case's, in place. After
/// every change the new rules must be enforced (real probes) and nothing of
/// the old ones left (no stale `npx-` set, no stale `NPX-` chain).
@Suite("Policy changes in a real kernel", .kernelLab)
struct KernelPolicyChangeTests {
    /// Each to the next: from nothing to isolation, isolation to sets and
    /// ports, to ipBlock excepts, to no policy at all (every rule removed),
    /// back to named ports, to namespace selectors, to egress to outsiders.
    static let sequence = [
        "default-deny-all", "doc-example-test-network-policy", "egress-cidr-except", "no-policies",
        "named-port-egress", "ingress-from-namespace-by-label", "egress-everything-but-internal",
    ]

    @Test("after each change the new policies are enforced and nothing of the old ones is left")
    func changes() throws {
        let cases = try KernelPolicyChangeTests.sequence.map { name in
            try #require(ConformanceCase.all.first { $0.name == name }, "no case \(name)")
        }
        // One lab for all: the cases must share their workloads and addresses (labels may differ).
        let universe = cases[0].universe
        func layout(_ u: ConformanceUniverse) -> [String: [IPAddress]] {
            Dictionary(uniqueKeysWithValues: u.members.map { ($0.logicalRef, $0.addresses) })
        }
        for c in cases { try #require(layout(c.universe) == layout(universe), "\(c.name) has another universe") }
        let outsiders = cases.reduce(into: Set<IPAddress>()) { $0.formUnion($1.outsiders) }

        try KernelUniverse.with(universe, outsiders: outsiders) { k in
            for c in cases {
                let world = c.universe.hostsWorld(c.policies)
                let compiler = Compiler(world: world)
                let hosts = try c.universe.members.map { try k.host($0.logicalRef) }
                let desired = try c.universe.members.map { compiler.compile(try world.legacyHost($0)) }
                for (host, state) in zip(hosts, desired) { try k.converge(host, to: state) }

                for ((host, state), snapshot) in zip(zip(hosts, desired), try k.read(hosts)) {
                    let observed = try snapshot.observed()
                    #expect(observed.sets.map(\.name) == state.sets.map(\.name).sorted(),
                            "\(c.name): \(host.name) holds sets \(observed.sets.map(\.name)), wants \(state.sets.map(\.name))")
                    let held = StateDiff.diff(observed: observed, desired: state)
                    #expect(held.text.isEmpty, "\(c.name): \(host.name) does not hold exactly its desired state:\n\(held.text)")
                    if state.needsNothing { #expect(!snapshot.holdsOurs, "\(c.name): \(host.name) keeps rules of ours:\n\(snapshot)") }
                }

                let sendable = c.probes.filter { $0.proto != .sctp || NetnsLab.sctpAvailable }
                for (p, result) in zip(sendable, try k.probe(sendable)) where result.verdict != (p.expect ? .allowed : .denied) {
                    Issue.record("after the change to \(c.name): \(p) was \(result.verdict.rawValue) (\(result.detail))\n\(k.dump(p))")
                }
            }
        }
    }
}
