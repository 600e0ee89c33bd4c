import ExtendCore
import ExtendInput
import Testing

/// NetworkPolicy files are not defaulted by an API server: the loader does it.
@Suite struct NetworkPolicyDecodingTests {
    /// The policy decoded from `spec` (YAML, indented by two under `spec:`).
    static func policy(_ spec: String) throws -> NetworkPolicy {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: ns}
            spec:
            \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            """
        let load = ManifestLoader.parse(text, path: "np.yaml")
        #expect(load.diagnostics.isEmpty, "\(load.diagnostics)")
        return try #require(try load.get().policies.first)
    }

    static func diagnostics(_ spec: String) -> [String] {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: ns}
            spec:
            \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            """
        let load = ManifestLoader.parse(text, path: "np.yaml")
        if load.hasErrors { #expect(load.cluster.policies.isEmpty) }
        return load.diagnostics.map(\.description)
    }

    typealias Rule = NetworkPolicy.Rule
    typealias Peer = NetworkPolicy.Peer
    typealias PortMatch = NetworkPolicy.PortMatch

    struct Defaulting: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        let podSelector: LabelSelector
        let policyTypes: Set<Direction>
        let ingress: [Rule]
        let egress: [Rule]
        var testDescription: String { name }
    }

    static let app = LabelSelector(matchLabels: ["app": "db"])

    static let defaulting: [Defaulting] = [
        .init(name: "missing podSelector selects everything; no rules isolates ingress",
              spec: "ingress: []", podSelector: .everything, policyTypes: [.ingress], ingress: [], egress: []),
        .init(name: "no spec fields at all", spec: "{}",
              podSelector: .everything, policyTypes: [.ingress], ingress: [], egress: []),
        .init(name: "ingress [{}] admits everything", spec: "podSelector: {matchLabels: {app: db}}\ningress: [{}]",
              podSelector: app, policyTypes: [.ingress], ingress: [Rule()], egress: []),
        .init(name: "from missing and from [] both mean all peers", spec: "ingress:\n- ports: [{port: 80}]\n- from: []",
              podSelector: .everything, policyTypes: [.ingress],
              ingress: [Rule(peers: [], ports: [PortMatch(proto: .tcp, port: .number(80))]), Rule()], egress: []),
        .init(name: "egress rules infer Egress", spec: "egress: [{to: [{namespaceSelector: {}}]}]",
              podSelector: .everything, policyTypes: [.ingress, .egress], ingress: [],
              egress: [Rule(peers: [.workloads(podSelector: nil, namespaceSelector: .everything)])]),
        .init(name: "empty egress does not infer Egress", spec: "egress: []",
              podSelector: .everything, policyTypes: [.ingress], ingress: [], egress: []),
        .init(name: "explicit Egress only", spec: "policyTypes: [Egress]",
              podSelector: .everything, policyTypes: [.egress], ingress: [], egress: []),
        .init(name: "explicit both with no rules", spec: "policyTypes: [Ingress, Egress]",
              podSelector: .everything, policyTypes: [.ingress, .egress], ingress: [], egress: []),
        .init(name: "empty policyTypes is inferred", spec: "policyTypes: []\negress: [{}]",
              podSelector: .everything, policyTypes: [.ingress, .egress], ingress: [], egress: [Rule()]),
        .init(name: "namespaceSelector {} vs absent",
              spec: "ingress:\n- from:\n  - namespaceSelector: {}\n  - podSelector: {matchLabels: {app: db}}\n  - namespaceSelector: {}\n    podSelector: {}",
              podSelector: .everything, policyTypes: [.ingress],
              ingress: [Rule(peers: [
                  .workloads(podSelector: nil, namespaceSelector: .everything),
                  .workloads(podSelector: app, namespaceSelector: nil),
                  .workloads(podSelector: .everything, namespaceSelector: .everything),
              ])], egress: []),
        .init(name: "protocol defaults to TCP; port missing is all ports",
              spec: "ingress: [{ports: [{protocol: UDP}, {}]}]",
              podSelector: .everything, policyTypes: [.ingress],
              ingress: [Rule(ports: [PortMatch(proto: .udp), PortMatch(proto: .tcp)])], egress: []),
        .init(name: "port string of digits is a number; named port; endPort",
              spec: "ingress: [{ports: [{port: \"80\"}, {port: http, protocol: SCTP}, {port: 8000, endPort: 8080}, {port: 443, endPort: 443}]}]",
              podSelector: .everything, policyTypes: [.ingress],
              ingress: [Rule(ports: [
                  PortMatch(proto: .tcp, port: .number(80)),
                  PortMatch(proto: .sctp, port: .named("http")),
                  PortMatch(proto: .tcp, port: .number(8000), endPort: 8080),
                  PortMatch(proto: .tcp, port: .number(443), endPort: 443),
              ])], egress: []),
        .init(name: "matchExpressions",
              spec: "podSelector:\n  matchExpressions:\n  - {key: tier, operator: In, values: [a, b]}\n  - {key: legacy, operator: DoesNotExist}",
              podSelector: LabelSelector(matchExpressions: [
                  .init(key: "tier", op: .in, values: ["a", "b"]), .init(key: "legacy", op: .doesNotExist),
              ]),
              policyTypes: [.ingress], ingress: [], egress: []),
        .init(name: "ipBlock with except", spec: "egress: [{to: [{ipBlock: {cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}}]}]",
              podSelector: .everything, policyTypes: [.ingress, .egress], ingress: [],
              egress: [Rule(peers: [.ipBlock(.init(cidr: CIDR("2001:db8::/32")!, except: [CIDR("2001:db8:1::/48")!]))])]),
        .init(name: "except outside the cidr is not an error here",
              spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]",
              podSelector: .everything, policyTypes: [.ingress],
              ingress: [Rule(peers: [.ipBlock(.init(cidr: CIDR("10.0.0.0/8")!, except: [CIDR("192.168.0.0/16")!]))])], egress: []),
        .init(name: "null values read as absent", spec: "podSelector: null\ningress: [{from: null, ports: ~}]",
              podSelector: .everything, policyTypes: [.ingress], ingress: [Rule()], egress: []),
    ]

    @Test(arguments: defaulting)
    func defaults(_ c: Defaulting) throws {
        let p = try Self.policy(c.spec)
        #expect(p.namespace == "ns")
        #expect(p.name == "np")
        #expect(p.podSelector == c.podSelector)
        #expect(p.policyTypes == c.policyTypes)
        #expect(p.ingress == c.ingress)
        #expect(p.egress == c.egress)
        #expect(p.origin == "np.yaml:1")
    }

    @Test func missingSpecIsTheZeroSpec() throws {
        let load = ManifestLoader.parse("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny}
            """, path: "np.yaml")
        let p = try #require(try load.get().policies.first)
        #expect(p.namespace == "default")
        #expect(p.podSelector == .everything)
        #expect(p.policyTypes == [.ingress])
        #expect(p.ingress.isEmpty)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        let expected: [String]
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        .init(name: "bad operator", spec: "podSelector:\n  matchExpressions:\n  - {key: app, operator: Equals, values: [a]}", expected: [
            #"np.yaml:7:28: error: spec.podSelector.matchExpressions[0].operator: operator "Equals" is not valid; must be one of In, NotIn, Exists, DoesNotExist"#,
        ]),
        .init(name: "operator in wrong case", spec: "podSelector:\n  matchExpressions:\n  - {key: app, operator: notin, values: [a]}", expected: [
            #"np.yaml:7:28: error: spec.podSelector.matchExpressions[0].operator: operator "notin" is not valid; must be one of In, NotIn, Exists, DoesNotExist (did you mean NotIn?)"#,
        ]),
        .init(name: "In without values", spec: "podSelector:\n  matchExpressions:\n  - {key: app, operator: In}", expected: [
            #"np.yaml:7:7: error: spec.podSelector.matchExpressions[0]: matchExpressions: operator In on "app" needs at least one value"#,
        ]),
        .init(name: "bad matchLabels key", spec: "podSelector: {matchLabels: {\"a/b/c\": x}}", expected: [
            #"np.yaml:5:30: error: spec.podSelector.matchLabels: label key "a/b/c" has more than one '/'"#,
        ]),
        .init(name: "bad CIDR", spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/40}}]}]", expected: [
            #"np.yaml:5:38: error: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/40" must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32"#,
        ]),
        .init(name: "host bits set", spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.1/8}}]}]", expected: [
            #"np.yaml:5:38: error: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1/8" has bits set after the prefix length; must be a valid CIDR such as 10.0.0.0/8"#,
        ]),
        .init(name: "bare address in ipBlock", spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.1}}]}]", expected: [
            #"np.yaml:5:38: error: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1" must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32"#,
        ]),
        .init(name: "except of the other family", spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [\"::/1\"]}}]}]", expected: [
            "np.yaml:5:59: error: spec.ingress[0].from[0].ipBlock.except[0]: except ::/1 is IPv6 but cidr 10.0.0.0/8 is not; except entries must be of the cidr's family",
        ]),
        .init(name: "ipBlock with a selector", spec: "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]", expected: [
            "np.yaml:5:21: error: spec.ingress[0].from[0]: a peer gives either ipBlock or podSelector/namespaceSelector, not both; split it into two peers",
        ]),
        .init(name: "empty peer", spec: "ingress: [{from: [{}]}]", expected: [
            "np.yaml:5:21: error: spec.ingress[0].from[0]: a peer must give podSelector, namespaceSelector or ipBlock",
        ]),
        .init(name: "endPort below port", spec: "ingress: [{ports: [{port: 8080, endPort: 80}]}]", expected: [
            "np.yaml:5:44: error: spec.ingress[0].ports[0].endPort: endPort 80 is below port 8080; endPort must be at least port",
        ]),
        .init(name: "endPort with named port", spec: "ingress: [{ports: [{port: http, endPort: 90}]}]", expected: [
            #"np.yaml:5:44: error: spec.ingress[0].ports[0].endPort: endPort may only follow a numeric port, not the named port "http""#,
        ]),
        .init(name: "endPort without port", spec: "ingress: [{ports: [{endPort: 90}]}]", expected: [
            "np.yaml:5:32: error: spec.ingress[0].ports[0].endPort: endPort needs a numeric port to start the range",
        ]),
        .init(name: "endPort out of range", spec: "ingress: [{ports: [{port: 1, endPort: 65536}]}]", expected: [
            "np.yaml:5:41: error: spec.ingress[0].ports[0].endPort: port 65536 is out of range; must be 1-65535",
        ]),
        .init(name: "unknown protocol", spec: "ingress: [{ports: [{port: 80, protocol: ICMP}]}]", expected: [
            #"np.yaml:5:43: error: spec.ingress[0].ports[0].protocol: protocol "ICMP" is not supported; must be TCP, UDP or SCTP"#,
        ]),
        .init(name: "port out of range, also as a string", spec: "ingress: [{ports: [{port: 0}, {port: \"70000\"}]}]", expected: [
            "np.yaml:5:29: error: spec.ingress[0].ports[0].port: port 0 is out of range; must be 1-65535",
            "np.yaml:5:40: error: spec.ingress[0].ports[1].port: port 70000 is out of range; must be 1-65535",
        ]),
        .init(name: "bad port name", spec: "ingress: [{ports: [{port: HTTP_ALT}]}]", expected: [
            #"np.yaml:5:29: error: spec.ingress[0].ports[0].port: port name "HTTP_ALT" must consist of lower case letters, digits and '-'; port name "HTTP_ALT" must contain at least one letter (IANA service name, e.g. "postgres" or "http-alt")"#,
        ]),
        .init(name: "bad policy type", spec: "policyTypes: [Ingres]", expected: [
            #"np.yaml:5:17: error: spec.policyTypes[0]: "Ingres" is not a policy type; must be Ingress or Egress"#,
        ]),
        .init(name: "ingress is a mapping", spec: "ingress: {from: []}", expected: [
            "np.yaml:5:12: error: spec.ingress: expected a list, got a mapping",
        ]),
        .init(name: "podSelector is a list", spec: "podSelector: []", expected: [
            "np.yaml:5:16: error: spec.podSelector: expected a mapping, got a list",
        ]),
        .init(name: "several problems together",
              spec: "podSelector: {matchExpressions: [{key: a, operator: Is}]}\negress: [{to: [{ipBlock: {cidr: 1.2.3.4/24}}], ports: [{protocol: tcp}]}]",
              expected: [
                #"np.yaml:5:55: error: spec.podSelector.matchExpressions[0].operator: operator "Is" is not valid; must be one of In, NotIn, Exists, DoesNotExist (did you mean In?)"#,
                #"np.yaml:6:35: error: spec.egress[0].to[0].ipBlock.cidr: "1.2.3.4/24" has bits set after the prefix length; must be a valid CIDR such as 1.2.3.0/24"#,
                #"np.yaml:6:69: error: spec.egress[0].ports[0].protocol: protocol "tcp" is not supported; must be TCP, UDP or SCTP (in upper case)"#,
              ]),
    ]

    @Test(arguments: failures)
    func rejects(_ c: Failure) {
        #expect(Self.diagnostics(c.spec) == c.expected)
    }

    @Test func typosInsideTheSpecAreWarned() throws {
        let diagnostics = Self.diagnostics("ingress:\n- form: [{podSelector: {}}]\n  ports: [{port: 80, endport: 90}]")
        #expect(diagnostics == [
            #"np.yaml:6:5: warning: unknown field "form" in spec.ingress[0] is ignored (known: from, ports); did you mean "from"?"#,
            #"np.yaml:7:24: warning: unknown field "endport" in spec.ingress[0].ports[0] is ignored (known: protocol, port, endPort); did you mean "endPort"?"#,
        ])
    }
}
