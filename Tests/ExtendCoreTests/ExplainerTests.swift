import ConformanceSupport
import ExtendCore
import Testing

/// `extend explain`: resolving refs, refusing what cannot be judged, and the
/// shape of the answer.
@Suite("Explainer")
struct ExplainerTests {
    typealias Variant = ConformanceUniverse.Variant

    static func explainer(_ variant: Variant = .hosts, _ policies: [NetworkPolicy] = [],
                          universe: ConformanceUniverse = .standard()) -> Explainer {
        Explainer(world: universe.world(variant, policies: policies).0)
    }

    /// spec/inventory.md: "`NAMESPACE/NAME` names a pod or a host ...; a bare IP
    /// address stands for traffic from or to an address outside both."
    @Test("resolve() refuses what it cannot name", arguments: [
        ("nowhere/a", "no namespace \"nowhere\""),
        ("x/zz", "no pod or host x/zz"),
        ("x/", "is neither NAMESPACE/NAME nor an IP address"),
        ("/a", "is neither NAMESPACE/NAME nor an IP address"),
        ("x/a/b", "is neither NAMESPACE/NAME nor an IP address"),
        ("1.2.3", "is neither NAMESPACE/NAME nor an IP address"),
        ("256.1.1.1", "is neither NAMESPACE/NAME nor an IP address"),
        ("x", "is neither NAMESPACE/NAME nor an IP address"),
        ("", "is neither NAMESPACE/NAME nor an IP address"),
    ])
    func resolveErrors(_ ref: String, _ fragment: String) {
        let error = #expect(throws: Explainer.Failure.self) { try Self.explainer().resolve(ref) }
        #expect(error?.description.contains(fragment) == true, "\(ref): \(error?.description ?? "-")")
    }

    /// "An address that does belong to a workload is refused with that
    /// workload's name, so nobody mistakes it for an outsider."
    @Test("a bare address a workload holds is refused, naming the owner", arguments: [
        (Variant.hosts, "198.18.0.11", "host x-a"),
        (Variant.pods, "198.18.0.11", "pod x/a"),
        (Variant.pods, "198.18.0.33", "pod z/c"),
    ])
    func ownedAddress(_ variant: Variant, _ ip: String, _ owner: String) {
        let error = #expect(throws: Explainer.Failure.self) { try Self.explainer(variant).resolve(ip) }
        #expect(error?.description.contains(owner) == true, "\(error?.description ?? "-")")
        #expect(error?.description.contains("NAMESPACE/NAME") == true)
    }

    @Test("resolve() finds workloads and outsiders")
    func resolves() throws {
        let e = Self.explainer()
        #expect(try e.resolve("198.18.5.5") == .external(IPAddress("198.18.5.5")!))
        #expect(try e.resolve("2001:db8:5::5") == .external(IPAddress("2001:db8:5::5")!))
        #expect(try e.resolve("x/x-a").workload?.kind == .host)
        #expect(try Self.explainer(.pods).resolve("x/a").workload?.kind == .pod)
    }

    @Test("ports outside 1-65535 are refused", arguments: [0, -1, 65536])
    func badPort(_ port: Int) {
        let error = #expect(throws: Explainer.Failure.self) {
            try Self.explainer().explain(from: "x/x-a", to: "y/y-a", port: port, proto: .tcp)
        }
        #expect(error?.description.contains("outside 1-65535") == true)
    }

    @Test("ends without a common address family are refused")
    func noCommonFamily() {
        let error = #expect(throws: Explainer.Failure.self) {
            try Self.explainer().explain(from: "2001:db8:5::5", to: "x/x-a", port: 80, proto: .tcp)
        }
        #expect(error?.description.contains("share no address family") == true)
    }

    @Test("an unselectable pod is refused as a ref")
    func unselectablePod() {
        var cluster = ConformanceUniverse.standard().cluster(policies: [])
        cluster.pods.append(Pod(namespace: "x", name: "hostnet", ips: [IPAddress("198.18.0.90")!], hostNetwork: true))
        let e = Explainer(world: World.build(cluster: cluster, inventory: Inventory()).0)
        #expect(throws: Explainer.Failure.self) { try e.resolve("x/hostnet") }
    }

    @Test("the answer names the isolating policies and the admitting rules")
    func answerShape() throws {
        let e = Self.explainer(.pods, [
            NP.policy("x", "deny-all"),
            NP.policy("x", "from-b", select: NP.pod("a"),
                      ingress: [NP.rule([NP.pods(NP.pod("c"))]), NP.rule([NP.pods(NP.pod("b"))], ports: [NP.port(80)])]),
        ])
        let allowed = try e.explain(from: "x/b", to: "x/a", port: 80, proto: .tcp)
        #expect(allowed.verdict == "allow")
        #expect(allowed.sourceAddress == "198.18.0.12" && allowed.destinationAddress == "198.18.0.11")
        #expect(allowed.egress.workload == "x/b" && !allowed.egress.isolated && allowed.egress.allowed)
        #expect(allowed.ingress.isolatedBy == ["x/deny-all", "x/from-b"])
        #expect(allowed.ingress.allowedBy.map(\.policy) == ["x/from-b"])
        #expect(allowed.ingress.allowedBy.map(\.rule) == [2], "rules are numbered from 1")

        let denied = try e.explain(from: "198.18.5.5", to: "x/a", port: 80, proto: .tcp)
        #expect(denied.verdict == "deny")
        #expect(denied.egress.workload == nil && denied.egress.allowed, "nothing is enforced on an outsider")
        #expect(denied.ingress.isolated && denied.ingress.allowedBy.isEmpty && !denied.ingress.allowed)
        #expect(denied.reasons.count == 2)
        #expect(denied.text.hasPrefix("DENY: 198.18.5.5 (198.18.5.5) -> x/a (198.18.0.11) TCP/80\n"))
    }

    /// "Other pods that are allowed (exception: a pod cannot block access to itself)."
    @Test("a workload reaching itself is allowed and says why", arguments: Variant.allCases)
    func loopback(_ variant: Variant) throws {
        let universe = ConformanceUniverse.standard()
        let e = Self.explainer(variant, [NP.policy("x", "deny-all", types: [.ingress, .egress])])
        let ref = universe.ref("x/a", in: variant)
        let answer = try e.explain(from: ref, to: ref, port: 80, proto: .tcp)
        #expect(answer.verdict == "allow")
        #expect(answer.egress.isolatedBy == ["x/deny-all"] && answer.ingress.isolatedBy == ["x/deny-all"])
        #expect(answer.reasons.allSatisfy { $0.contains("itself") }, "\(answer.reasons)")
    }
}
