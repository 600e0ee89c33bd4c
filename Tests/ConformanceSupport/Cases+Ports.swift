import ExtendCore

// Ports: numbers, protocols, endPort ranges, named ports.
// Probes stay on 80 and 81, the ports every workload serves, so that a
// kernel runner tells "denied" from "nothing listening".

/// y/a names port 80 "web", y/b names port 81 "web", y/c has no "web".
private let webPorts = ConformanceUniverse.standard()
    .addingPort("y/a", NamedPort(name: "web", port: 80, proto: .tcp))
    .addingPort("y/b", NamedPort(name: "web", port: 81, proto: .tcp))

extension ConformanceCase {
    public static let ports: [ConformanceCase] = [
        ConformanceCase(
            name: "ports-tcp-81-from-namespace",
            specSentence: "Each rule allows traffic which matches both the from and ports sections.",
            upstream: "should enforce policy based on Ports",
            policies: [NP.policy("x", "allow-client-a-via-ns-selector", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.port(81, .tcp)])])],
            probes: [
                .allow("y/a", "x/a", 81), .allow("y/b", "x/a", 81),
                .deny("y/a", "x/a", 80), .deny("x/b", "x/a", 81), .deny("z/a", "x/a", 81), .deny("y/a", "x/a", 81, .udp),
            ]),

        ConformanceCase(
            name: "ports-udp-81-from-namespace",
            specSentence: "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match.",
            upstream: "NetworkPolicy between server and client using UDP: should enforce policy based on Ports",
            policies: [NP.policy("x", "allow-ingress-on-port-81-ns-x", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.port(81, .udp)])])],
            probes: [
                .allow("y/a", "x/a", 81, .udp), .allow("y/c", "x/a", 81, .udp),
                .deny("y/a", "x/a", 81, .tcp), .deny("y/a", "x/a", 80, .udp),
                .deny("x/b", "x/a", 81, .udp), .deny("z/a", "x/a", 81, .udp),
            ]),

        ConformanceCase(
            name: "ports-sctp-81-from-namespace",
            specSentence: "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match.",
            upstream: "NetworkPolicy between server and client using SCTP: should enforce policy based on Ports",
            policies: [NP.policy("x", "allow-ingress-on-port-81-ns-x", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.port(81, .sctp)])])],
            probes: [
                .allow("y/a", "x/a", 81, .sctp),
                .deny("y/a", "x/a", 80, .sctp), .deny("x/b", "x/a", 81, .sctp), .deny("z/a", "x/a", 81, .sctp),
                .deny("y/a", "x/a", 81, .tcp),
            ]),

        ConformanceCase(
            name: "stacked-policies-on-two-ports",
            specSentence: "If any policy or policies apply to a given pod for a given direction, the connections allowed in that direction from that pod is the union of what the applicable policies allow.",
            upstream: "should enforce multiple, stacked policies with overlapping podSelectors",
            policies: [
                NP.policy("x", "allow-client-a-via-ns-selector", select: NP.pod("a"), types: [.ingress],
                          ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.port(81)])]),
                NP.policy("x", "allow-client-a-via-ns-selector-80", select: NP.pod("a"), types: [.ingress],
                          ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.port(80)])]),
            ],
            probes: [
                .allow("y/a", "x/a", 80), .allow("y/a", "x/a", 81), .allow("y/b", "x/a", 80),
                .deny("z/a", "x/a", 80), .deny("x/b", "x/a", 81), .deny("y/a", "x/a", 80, .udp),
            ]),

        ConformanceCase(
            name: "protocol-only-tcp",
            specSentence: "port: The port on the given protocol. ... If this field is not provided, this matches all port names and numbers.",
            upstream: "should enforce ingress policy allowing any port traffic to a server on a specific protocol",
            policies: [NP.policy("x", "allow-ingress-by-proto", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule(ports: [NP.every(.tcp)])])],
            probes: [
                .allow("y/a", "x/a", 80, .tcp), .allow("y/a", "x/a", 81, .tcp), .allow("x/b", "x/a", 81, .tcp),
                .allow("198.18.5.5", "x/a", 80, .tcp),
                .deny("y/a", "x/a", 80, .udp), .deny("y/a", "x/a", 81, .udp),
            ]),

        ConformanceCase(
            name: "protocol-only-udp",
            specSentence: "port: ... If this field is not provided, this matches all port names and numbers. [protocol: UDP alone admits every UDP port and nothing else.]",
            policies: [NP.policy("x", "all-udp", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.every(.udp)])])],
            probes: [
                .allow("y/a", "x/a", 80, .udp), .allow("y/a", "x/a", 81, .udp), .allow("198.18.5.5", "x/a", 81, .udp),
                .deny("y/a", "x/a", 80, .tcp), .deny("y/a", "x/a", 80, .sctp),
            ]),

        ConformanceCase(
            name: "endport-inclusive-edges",
            specSentence: "endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy.",
            policies: [
                NP.policy("x", "a-80-81", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.ports(80, through: 81)])]),
                NP.policy("x", "b-81-90", select: NP.pod("b"), ingress: [NP.rule(ports: [NP.ports(81, through: 90)])]),
                NP.policy("x", "c-70-80", select: NP.pod("c"), ingress: [NP.rule(ports: [NP.ports(70, through: 80)])]),
            ],
            probes: [
                .allow("y/a", "x/a", 80), .allow("y/a", "x/a", 81),
                .deny("y/a", "x/b", 80), .allow("y/a", "x/b", 81),
                .allow("y/a", "x/c", 80), .deny("y/a", "x/c", 81),
                .deny("y/a", "x/a", 80, .udp), .allow("198.18.5.5", "x/b", 81),
            ]),

        ConformanceCase(
            name: "egress-endport-equal-to-port",
            specSentence: "The endPort field must be equal to or greater than the port field. [A range of one port admits exactly that port.]",
            policies: [NP.policy("x", "udp-81-only", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule(ports: [NP.ports(81, through: 81, .udp)])])],
            probes: [
                .allow("x/a", "y/a", 81, .udp), .allow("x/a", "198.18.5.5", 81, .udp),
                .deny("x/a", "y/a", 80, .udp), .deny("x/a", "y/a", 81, .tcp),
            ]),

        ConformanceCase(
            name: "named-port-ingress",
            specSentence: "port: The port on the given protocol. This can either be a numerical or named port on a pod.",
            upstream: "should allow ingress access on one named port",
            policies: [NP.policy("x", "allow-all", types: [.ingress], ingress: [NP.rule(ports: [NP.named("serve-81-tcp")])])],
            probes: [
                .allow("y/a", "x/a", 81), .allow("x/b", "x/a", 81), .allow("y/a", "x/b", 81),
                .deny("y/a", "x/a", 80), .deny("x/b", "x/c", 80), .deny("y/a", "x/a", 81, .udp),
                .allow("z/a", "y/a", 80),
            ]),

        ConformanceCase(
            name: "named-port-from-namespace",
            specSentence: "Each rule allows traffic which matches both the from and ports sections.",
            upstream: "should allow ingress access from namespace on one named port",
            policies: [NP.policy("x", "allow-client-a-via-ns-selector-80", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(NP.nsName("y"))], ports: [NP.named("serve-80-tcp", .tcp)])])],
            probes: [
                .allow("y/a", "x/a", 80), .allow("y/b", "x/a", 80),
                .deny("y/a", "x/a", 81), .deny("x/b", "x/a", 80), .deny("z/a", "x/a", 80),
            ]),

        ConformanceCase(
            name: "named-port-egress",
            specSentence: "port: ... This can either be a numerical or named port on a pod. [For egress the name resolves on the destination.]",
            upstream: "should allow egress access on one named port",
            policies: [NP.policy("x", "allow-egress", types: [.egress], egress: [NP.rule(ports: [NP.named("serve-80-tcp")])])],
            probes: [
                .allow("x/a", "y/a", 80), .allow("x/b", "z/a", 80), .allow("x/a", "x/b", 80),
                .deny("x/a", "y/a", 81),
                .deny("x/a", "198.18.5.5", 80),   // an outsider has no named ports
                .allow("y/a", "x/a", 81),
            ]),

        ConformanceCase(
            name: "named-port-protocol-must-match",
            specSentence: "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match. [A name resolves only to a port of the same protocol.]",
            policies: [
                NP.policy("x", "udp-name-as-tcp", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.named("serve-80-udp", .tcp)])]),
                NP.policy("x", "udp-name-as-udp", select: NP.pod("b"), ingress: [NP.rule(ports: [NP.named("serve-81-udp", .udp)])]),
            ],
            probes: [
                .deny("y/a", "x/a", 80, .tcp), .deny("y/a", "x/a", 80, .udp),
                .allow("y/a", "x/b", 81, .udp), .deny("y/a", "x/b", 81, .tcp), .deny("y/a", "x/b", 80, .udp),
            ]),

        ConformanceCase(
            name: "named-port-sctp",
            specSentence: "port: ... This can either be a numerical or named port on a pod.",
            policies: [NP.policy("x", "sctp-81", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.named("serve-81-sctp", .sctp)])])],
            probes: [
                .allow("y/a", "x/a", 81, .sctp), .deny("y/a", "x/a", 80, .sctp), .deny("y/a", "x/a", 81, .tcp),
            ]),

        ConformanceCase(
            name: "named-port-resolving-nowhere",
            specSentence: "A pod is isolated for ingress if there is any NetworkPolicy that both selects the pod and has \"Ingress\" in its policyTypes [even when its only rule names a port the pod lacks, which admits nothing].",
            policies: [NP.policy("x", "http-only", select: NP.pod("a"), ingress: [NP.rule(ports: [NP.named("http")])])],
            probes: [
                .deny("y/a", "x/a", 80), .deny("y/a", "x/a", 81), .deny("x/b", "x/a", 80),
                .allow("y/a", "x/b", 80),
            ]),

        ConformanceCase(
            name: "named-port-resolves-per-destination-ingress",
            specSentence: "port: ... a named port on a pod. [Resolved on each selected pod: the same name may stand for different numbers, or none.]",
            universe: webPorts,
            policies: [NP.policy("y", "web", ingress: [NP.rule(ports: [NP.named("web")])])],
            probes: [
                .allow("x/a", "y/a", 80), .deny("x/a", "y/a", 81),
                .allow("x/a", "y/b", 81), .deny("x/a", "y/b", 80),
                .deny("x/a", "y/c", 80), .deny("x/a", "y/c", 81),
            ]),

        ConformanceCase(
            name: "named-port-resolves-per-destination-egress",
            specSentence: "port: ... a named port on a pod. [For egress the name resolves on each destination pod.]",
            universe: webPorts,
            policies: [NP.policy("x", "to-web", select: NP.pod("a"), types: [.egress], egress: [NP.rule(ports: [NP.named("web")])])],
            probes: [
                .allow("x/a", "y/a", 80), .allow("x/a", "y/b", 81),
                .deny("x/a", "y/b", 80), .deny("x/a", "y/c", 80), .deny("x/a", "x/b", 80), .deny("x/a", "198.18.5.5", 80),
            ]),

        ConformanceCase(
            name: "sctp-is-not-tcp",
            specSentence: "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match.",
            upstream: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
            policies: [
                NP.policy("x", "deny-ingress", types: [.ingress]),
                NP.policy("x", "allow-only-sctp-ingress-on-port-81", select: NP.pod("a"), types: [.ingress],
                          ingress: [NP.rule(ports: [NP.port(81, .sctp)])]),
            ],
            probes: [
                .deny("y/a", "x/a", 81, .tcp), .allow("y/a", "x/a", 81, .sctp),
                .deny("y/a", "x/b", 81, .sctp), .deny("y/a", "x/a", 81, .udp),
            ]),

        ConformanceCase(
            name: "sctp-policy-still-isolates",
            specSentence: "A pod is isolated for ingress if there is any NetworkPolicy that both selects the pod and has \"Ingress\" in its policyTypes.",
            upstream: "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
            policies: [NP.policy("x", "allow-only-sctp-ingress-on-port-80", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule(ports: [NP.port(80, .sctp)])])],
            probes: [
                .deny("y/a", "x/a", 81, .tcp), .deny("y/a", "x/a", 80, .tcp), .allow("y/a", "x/a", 80, .sctp),
                .allow("y/a", "x/b", 81, .tcp),
            ]),

        ConformanceCase(
            name: "udp-policy-does-not-admit-tcp",
            specSentence: "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match.",
            upstream: "should not allow access by TCP when a policy specifies only UDP",
            policies: [NP.policy("x", "allow-only-udp-ingress-on-port-81", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule(ports: [NP.port(81, .udp)])])],
            probes: [
                .deny("y/a", "x/a", 81, .tcp), .allow("y/a", "x/a", 81, .udp), .deny("x/b", "x/a", 81, .tcp),
            ]),

        ConformanceCase(
            name: "rules-do-not-mix-peers-and-ports",
            specSentence: "Each rule allows traffic which matches both the from and ports sections. [A peer of one rule never combines with the ports of another.]",
            policies: [NP.policy("x", "two-rules", select: NP.pod("a"), ingress: [
                NP.rule([NP.pods(NP.pod("b"))], ports: [NP.port(80)]),
                NP.rule([NP.namespaces(NP.ns("y"))], ports: [NP.port(81, .udp)]),
            ])],
            probes: [
                .allow("x/b", "x/a", 80), .deny("x/b", "x/a", 81), .deny("x/b", "x/a", 81, .udp),
                .allow("y/a", "x/a", 81, .udp), .deny("y/a", "x/a", 80), .deny("y/a", "x/a", 80, .udp),
                .deny("z/c", "x/a", 81, .udp),
            ]),

        ConformanceCase(
            name: "several-ports-in-one-rule",
            specSentence: "ports: List of ports which should be made accessible on the pods selected for this rule. Each item in this list is combined using a logical OR.",
            policies: [NP.policy("x", "tcp80-udp81", select: NP.pod("a"),
                                 ingress: [NP.rule(ports: [NP.port(80, .tcp), NP.port(81, .udp)])])],
            probes: [
                .allow("y/a", "x/a", 80, .tcp), .allow("y/a", "x/a", 81, .udp),
                .deny("y/a", "x/a", 81, .tcp), .deny("y/a", "x/a", 80, .udp),
            ]),
    ]
}
