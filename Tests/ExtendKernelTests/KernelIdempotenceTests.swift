import ConformanceSupport
import ExtendCore
import LabSupport
import Testing

/// Apply converges: observe, plan, apply, and again. The rendered payload
/// always inserts the jumps (it is the fresh-host form); deciding to skip
/// what a host already holds is the plan's job, so this goes through the plan
/// exactly as `extend apply` does.
@Suite("Apply is idempotent in a real kernel", .kernelLab)
struct KernelIdempotenceTests {
    /// Cases whose payloads between them use every kind of rule and set
    /// member compile makes: both directions, shared chains with
    /// comma-joined comments, ipBlock `except` (nomatch), a /0 split in
    /// halves, port ranges, named ports resolved per destination, IPv6 sets.
    static let cases = [
        "doc-example-test-network-policy", "wealth-wizards-both-policies", "egress-cidr-except",
        "ingress-cidr-slash-zero", "endport-inclusive-edges", "named-port-resolves-per-destination-egress",
        "dual-stack-ipv6-cidr", "default-deny-all",
    ].compactMap { name in ConformanceCase.all.first { $0.name == name } }

    @Test("the case list is complete")
    func caseList() {
        #expect(KernelIdempotenceTests.cases.count == 8)
    }

    @Test("the second plan is empty and the host unchanged; one jump each from INPUT and OUTPUT",
          arguments: KernelIdempotenceTests.cases)
    func twice(_ c: ConformanceCase) throws {
        let world = c.universe.hostsWorld(c.policies)
        let compiler = Compiler(world: world)
        let desired = try c.universe.members.map { (member: $0, state: compiler.compile(try world.legacyHost($0))) }
            .filter { !$0.state.needsNothing }
        #expect(!desired.isEmpty)

        try KernelUniverse.with(c.universe, listening: false) { k in
            for d in desired {
                let host = try k.host(d.member.logicalRef)
                let first = try k.converge(host, to: d.state)
                #expect(!first.steps.isEmpty)
                let afterFirst = try k.read([host])[0]
                let held = StateDiff.diff(observed: try afterFirst.observed(), desired: d.state)
                #expect(held.text.isEmpty, "\(d.member.logicalRef) does not hold its desired state:\n\(held.text)")

                let second = try k.converge(host, to: d.state)
                #expect(second.steps.isEmpty, "\(d.member.logicalRef): the second plan is not empty:\n\(second.diff)\n\(second.steps)")
                let afterSecond = try k.read([host])[0]
                #expect(afterSecond == afterFirst, "\(d.member.logicalRef) changed on the second apply")

                for (builtin, top) in [("INPUT", Naming.inputChain), ("OUTPUT", Naming.outputChain)] {
                    let jumps = afterSecond.count("-A \(builtin) -j \(top)")
                    #expect(jumps.inet == 1 && jumps.inet6 == 1, "\(d.member.logicalRef): \(jumps) jumps from \(builtin)")
                }
            }
        }
    }
}
