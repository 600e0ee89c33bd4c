import ConformanceSupport
import ExtendCore
import Testing

/// Warnings about likely mistakes. They never block anything, so a test that
/// nobody reads them is all that would catch a regression.
@Suite("PolicyLint")
struct PolicyLintTests {
    static func warnings(_ policies: [NetworkPolicy], universe: ConformanceUniverse = .standard()) -> [String] {
        PolicyLint(world: universe.world(.hosts, policies: policies).0).warnings().map(\.message)
    }

    /// The Wealth Wizards elb-isolation-live policy: "the second rule `{}`
    /// makes the 443/80 rule redundant".
    @Test("an allow-all rule makes the others redundant (elb-isolation-live)")
    func elbExample() {
        let universe = ConformanceUniverse.standard().adding(namespace: "live", labels: ["name": "live"], members: [
            (name: "ingress", labels: ["name": "ingress-controller"], address: "198.18.0.41"),
            (name: "app", labels: ["name": "billing"], address: "198.18.0.42"),
        ])
        let elb = NP.policy("live", "elb-isolation-live", select: NP.labels(["name": "ingress-controller"]),
                            ingress: [NP.rule(ports: [NP.port(443), NP.port(80)]), NP.allowAll])
        let nsIsolation = NP.policy("live", "namespace-isolation-live",
                                    ingress: [NP.rule([NP.pods(.everything, in: NP.labels(["name": "live"]))])])
        #expect(Self.warnings([elb, nsIsolation], universe: universe) == [
            "policy live/elb-isolation-live: ingress rule #2 admits all traffic, which makes the policy's other ingress rules redundant",
        ])
    }

    @Test("an allow-all egress rule among others")
    func egressAllowAll() {
        let w = Self.warnings([NP.policy("x", "out", types: [.egress], egress: [NP.allowAll, NP.rule(ports: [NP.port(80)])])])
        #expect(w == ["policy x/out: egress rule #1 admits all traffic, which makes the policy's other egress rules redundant"])
    }

    @Test("a lone allow-all rule is no mistake")
    func loneAllowAll() {
        #expect(Self.warnings([NP.policy("x", "open", ingress: [NP.allowAll])]).isEmpty)
    }

    /// "If a named port ... the port name is resolved on each selected pod";
    /// a name that resolves on none admits nothing.
    @Test("named ports that resolve nowhere", arguments: [
        (NP.policy("x", "p", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.named("http")])]),
         "policy x/p: ingress rule #1 named port \"http\"/TCP resolves on no selected target, so it admits nothing"),
        (NP.policy("x", "p", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.named("serve-80-udp", .tcp)])]),
         "policy x/p: ingress rule #1 named port \"serve-80-udp\"/TCP resolves on no selected target, so it admits nothing"),
        (NP.policy("x", "p", select: NP.pod("a"), types: [.egress],
                   egress: [NP.rule([NP.pods(NP.pod("b"))], ports: [NP.named("web")])]),
         "policy x/p: egress rule #1 named port \"web\"/TCP resolves on no destination, so it admits nothing"),
        (NP.policy("x", "p", select: NP.pod("a"), types: [.egress],
                   egress: [NP.rule([NP.cidr("198.19.0.0/16")], ports: [NP.named("serve-80-tcp")])]),
         "policy x/p: egress rule #1 named port \"serve-80-tcp\"/TCP resolves on no destination, so it admits nothing"),
    ])
    func namedPortNowhere(_ policy: NetworkPolicy, _ warning: String) {
        #expect(Self.warnings([policy]) == [warning])
    }

    @Test("selectors that select nothing", arguments: [
        (NP.policy("x", "p", select: NP.pod("zz")),
         "policy x/p: podSelector pod=zz selects no pod or host in namespace x"),
        (NP.policy("x", "p", select: NP.pod("a"), ingress: [NP.rule([NP.pods(NP.pod("zz"))])]),
         "policy x/p: ingress rule #1 peer #1 (podSelector pod=zz) selects nothing"),
        (NP.policy("x", "p", select: NP.pod("a"), ingress: [NP.rule([NP.pods(NP.pod("a")), NP.namespaces(NP.ns("nowhere"))])]),
         "policy x/p: ingress rule #1 peer #2 (namespaceSelector ns=nowhere) selects nothing"),
        (NP.policy("nowhere", "p"),
         "policy nowhere/p: podSelector {} selects no pod or host in namespace nowhere"),
    ])
    func selectsNothing(_ policy: NetworkPolicy, _ warning: String) {
        #expect(Self.warnings([policy]) == [warning])
    }

    /// "Except values will be rejected if they are outside the cidr range."
    @Test("an except outside its cidr")
    func exceptOutside() {
        let p = NP.policy("x", "p", select: NP.pod("a"),
                          ingress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24", "198.18.0.0/24"])])])
        #expect(Self.warnings([p]) == [
            "policy x/p: ingress rule #1 ipBlock except 198.18.0.0/24 lies outside its cidr 198.19.0.0/16 and has no effect",
        ])
    }

    /// The conformance cases whose policies hold one of the mistakes above;
    /// every other case is clean and must draw no warning at all.
    static let casesWithMistakes: Set<String> = [
        "named-port-protocol-must-match",      // serve-80-udp asked for as TCP
        "named-port-resolving-nowhere",        // "http" is named on no pod
        "policy-selecting-nothing",            // target=isolated is on no pod
        "wealth-wizards-both-policies",        // elb-isolation-live's {} rule
        "wealth-wizards-elb-isolation-alone",
    ]

    @Test("clean policies draw no warning, faulty ones do", arguments: ConformanceCase.all)
    func conformanceCases(_ c: ConformanceCase) {
        let w = PolicyLint(world: c.universe.world(.pods, policies: c.policies).0).warnings()
        #expect(w.isEmpty != Self.casesWithMistakes.contains(c.name), "\(c.name): \(w)")
    }

    @Test("warnings come out sorted")
    func sorted() {
        let w = PolicyLint(world: ConformanceUniverse.standard().world(.hosts, policies: [
            NP.policy("y", "b", select: NP.pod("zz")),
            NP.policy("x", "a", select: NP.pod("zz")),
        ]).0).warnings()
        #expect(w == w.sorted())
        #expect(w.map(\.location) == ["networkpolicy x/a", "networkpolicy y/b"])
    }
}
