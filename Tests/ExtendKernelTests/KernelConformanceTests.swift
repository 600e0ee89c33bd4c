import ConformanceSupport
import ExtendCore
import LabSupport
import Testing

/// The conformance data again, but as real traffic through real rules: every
/// case's universe becomes network namespaces (each workload a legacy host
/// holding exactly the payloads `extend render` gives it), and every probe is
/// a real connection whose fate must be what the spec demands and what
/// `extend explain` says.
@Suite("Conformance in a real kernel", .kernelLab)
struct KernelConformanceTests {
    @Test("every probe fares in the kernel as the spec and explain say", arguments: ConformanceCase.all)
    func probes(_ c: ConformanceCase) throws {
        try KernelConformanceTests.run(c)
    }

    /// Cases about what only a kernel can get wrong (KernelCases.swift).
    @Test("kernel-only cases fare as the spec and explain say", arguments: ConformanceCase.kernelOnly)
    func kernelOnly(_ c: ConformanceCase) throws {
        try KernelConformanceTests.run(c)
    }

    /// Loads the case's universe with the rendered payloads, checks that the
    /// kernel holds exactly the desired state, sends every probe.
    static func run(_ c: ConformanceCase) throws {
        let world = c.universe.hostsWorld(c.policies)
        let compiler = Compiler(world: world)
        let explainer = Explainer(world: world)
        let cache = SetTextCache()
        let desired = try c.universe.members.map { (member: $0, state: compiler.compile(try world.legacyHost($0))) }

        // SCTP probes need SCTP sockets; a kernel without them cannot send any.
        let sendable = c.probes.filter { $0.proto != .sctp || NetnsLab.sctpAvailable }
        let skipped = c.probes.count - sendable.count

        try KernelUniverse.with(c.universe, outsiders: c.outsiders) { k in
            let hosts = try desired.map { try k.host($0.member.logicalRef) }
            try k.load(zip(hosts, desired).map { ($0, RenderedHost($1.state, cache: cache)) })

            // The kernel holds exactly what compile wants: read back and
            // parsed as apply would, it leaves nothing to plan.
            for (snapshot, d) in zip(try k.read(hosts), desired) {
                let plan = Planner.plan(d.state, observed: try snapshot.observed())
                #expect(plan.steps.isEmpty, "\(c.name): \(d.member.logicalRef) read back differs from its desired state:\n\(plan.diff)")
            }

            for (p, result) in zip(sendable, try k.probe(sendable)) {
                let e = try explainer.explain(from: c.universe.ref(p.from, in: .hosts), to: c.universe.ref(p.to, in: .hosts),
                                              port: p.port, proto: p.proto)
                let explained = e.verdict == "allow"
                #expect(explained == p.expect, "\(c.name): explain disagrees with the spec on \(p)\n\(e.text)")
                let kernel = result.verdict
                if kernel == (p.expect ? .allowed : .denied) && kernel == (explained ? .allowed : .denied) { continue }
                Issue.record("""
                    \(c.name): \(p)
                      kernel: \(kernel.rawValue) (\(result.detail)); spec: \(p.expect ? "allow" : "deny"); explain: \(e.verdict)
                      spec sentence: \(c.specSentence)
                    \(e.text)\(k.dump(p))
                    """)
            }
        }
        if skipped > 0 {
            Issue.record("\(c.name): \(skipped) SCTP probe(s) not sent: this kernel has no SCTP sockets (EPROTONOSUPPORT); their rules were still loaded",
                         severity: .warning)
        }
    }
}
