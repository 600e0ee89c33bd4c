import ConformanceSupport
import ExtendCore
import Testing

/// Runs the conformance data (Conformance/) through the single semantic code
/// path, `Explainer.explain`, once with the workloads as legacy hosts and once
/// as pods: both must give the verdicts the spec demands.
@Suite("Conformance")
struct ConformanceTests {
    typealias Variant = ConformanceUniverse.Variant

    @Test("every probe gets the verdict the spec demands",
          arguments: ConformanceCase.all, Variant.allCases)
    func probes(_ c: ConformanceCase, _ variant: Variant) throws {
        let (world, problems) = c.universe.world(variant, policies: c.policies)
        #expect(problems.isEmpty, "the universe itself is faulty: \(problems)")
        let explainer = Explainer(world: world)
        for p in c.probes {
            let e = try explainer.explain(from: c.universe.ref(p.from, in: variant),
                                          to: c.universe.ref(p.to, in: variant), port: p.port, proto: p.proto)
            #expect(e.verdict == (p.expect ? "allow" : "deny"),
                    "\(c.name) [\(variant)]: \(p)\n  spec: \(c.specSentence)\n\(e.text)")
        }
    }

    /// "Legacy hosts ... selected exactly like pods": the same policies and rules
    /// decide, whichever kind the workloads are.
    @Test("hosts and pods are judged by the same rules", arguments: ConformanceCase.all)
    func hostsAndPodsAgree(_ c: ConformanceCase) throws {
        func judge(_ v: Variant) throws -> [String] {
            let explainer = Explainer(world: c.universe.world(v, policies: c.policies).0)
            return try c.probes.map { p in
                let e = try explainer.explain(from: c.universe.ref(p.from, in: v), to: c.universe.ref(p.to, in: v),
                                              port: p.port, proto: p.proto)
                let rules = (e.egress.allowedBy + e.ingress.allowedBy).map { "\($0.policy)#\($0.rule) \($0.peer) \($0.port)" }
                return "\(p): \(e.verdict) egress-isolated-by \(e.egress.isolatedBy) ingress-isolated-by \(e.ingress.isolatedBy) \(rules)"
            }
        }
        #expect(try judge(.hosts) == judge(.pods))
    }

    @Test("the suite does not shrink")
    func size() {
        let probes = ConformanceCase.all.reduce(0) { $0 + $1.probes.count }
        #expect(ConformanceCase.all.count >= 40)
        #expect(probes >= 300)
        #expect(Set(ConformanceCase.all.map(\.name)).count == ConformanceCase.all.count, "case names must be unique")
    }

    /// What a kernel runner relies on when it loads the same data into network namespaces.
    @Test("the data fits the lab", arguments: ConformanceCase.all)
    func dataFitsTheLab(_ c: ConformanceCase) {
        let lab4 = CIDR("198.18.0.0/15")!, lab6 = CIDR("2001:db8::/32")!
        #expect(!c.specSentence.isEmpty)
        #expect(!c.probes.isEmpty)
        var usesV6 = false
        for m in c.universe.members {
            #expect(LabelValidation.isDNS1123Label(m.hostName), "\(m.hostName) is no host name")
            for a in m.addresses {
                #expect(lab4.contains(a) || lab6.contains(a), "\(m.logicalRef) holds \(a), outside the lab ranges")
                usesV6 = usesV6 || a.family == .inet6
            }
        }
        let owned = Set(c.universe.members.flatMap(\.addresses))
        for p in c.probes {
            // Every workload serves 80 and 81 only: a deny must not be "nothing listens".
            #expect([80, 81].contains(p.port), "\(p): only ports 80 and 81 have listeners")
            #expect(p.from != p.to || c.universe.member(p.from) != nil, "\(p): an outsider cannot probe itself")
            for end in [p.from, p.to] {
                if c.universe.member(end) != nil { continue }
                guard let ip = IPAddress(end) else {
                    Issue.record("\(p): \(end) is neither a member of the universe nor an address")
                    continue
                }
                #expect(lab4.contains(ip) || lab6.contains(ip), "\(p): \(end) is outside the lab ranges")
                #expect(!owned.contains(ip), "\(p): \(end) belongs to a workload; name the workload instead")
                usesV6 = usesV6 || ip.family == .inet6
            }
        }
        #expect(c.ipv6 == usesV6, "ipv6 must be set exactly when the case uses IPv6 addresses")
        for pol in c.policies {
            let problems = LabelValidation.selectorProblems(pol.podSelector)
                + pol.ingress.flatMap(\.peers).flatMap(selectorProblems)
                + pol.egress.flatMap(\.peers).flatMap(selectorProblems)
            #expect(problems.isEmpty, "\(pol.id): \(problems)")
        }
    }

    private func selectorProblems(_ peer: NetworkPolicy.Peer) -> [String] {
        switch peer {
        case .workloads(let pod, let ns):
            return (pod.map(LabelValidation.selectorProblems) ?? []) + (ns.map(LabelValidation.selectorProblems) ?? [])
        case .ipBlock(let b):
            return b.except.filter { !b.cidr.contains($0) }.map { "except \($0) outside \(b.cidr)" }
        }
    }
}
