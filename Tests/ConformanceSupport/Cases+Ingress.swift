import ExtendCore

// Ingress isolation: who may connect to a selected workload.
// 198.18.5.5 is an outsider: in no workload, no namespace, no policy's view.

extension ConformanceCase {
    public static let ingress: [ConformanceCase] = [
        ConformanceCase(
            name: "default-deny-ingress",
            specSentence: "You can create a \"default\" ingress isolation policy for a namespace by creating a NetworkPolicy that selects all pods but does not allow any ingress traffic to those pods. ... This policy does not affect isolation for egress from any pod.",
            upstream: "should support a 'default-deny-ingress' policy",
            policies: [NP.policy("x", "deny-ingress")],
            probes: [
                .deny("x/b", "x/a"), .deny("y/a", "x/a"), .deny("y/b", "x/b"), .deny("z/a", "x/c"),
                .deny("198.18.5.5", "x/a"),
                .deny("x/a", "x/b", 81), .deny("y/a", "x/a", 80, .udp),
                // Egress from x is not isolated, and y is not selected at all.
                .allow("x/a", "y/a"), .allow("y/a", "y/b"), .allow("x/a", "198.18.5.5"),
            ]),

        ConformanceCase(
            name: "default-deny-ingress-udp",
            specSentence: "When a pod is isolated for ingress, the only allowed connections into the pod are those from the pod's node and those allowed by the ingress list of some NetworkPolicy that applies to the pod for ingress.",
            upstream: "NetworkPolicy between server and client using UDP: should support a 'default-deny-ingress' policy",
            policies: [NP.policy("x", "deny-all")],
            probes: [
                .deny("x/b", "x/a", 80, .udp), .deny("y/a", "x/b", 80, .udp), .deny("z/a", "x/c", 80, .udp),
                .deny("198.18.5.5", "x/b", 80, .udp),
                .allow("x/a", "y/a", 80, .udp), .allow("y/a", "y/b", 80, .udp), .allow("x/a", "z/b", 80, .udp),
            ]),

        ConformanceCase(
            name: "default-deny-ingress-sctp",
            specSentence: "When a pod is isolated for ingress, the only allowed connections into the pod are those ... allowed by the ingress list of some NetworkPolicy that applies to the pod for ingress.",
            upstream: "NetworkPolicy between server and client using SCTP: should support a 'default-deny-ingress' policy",
            policies: [NP.policy("x", "deny-all")],
            probes: [
                .deny("x/b", "x/a", 80, .sctp), .deny("y/a", "x/a", 80, .sctp),
                .allow("x/a", "y/a", 80, .sctp), .allow("y/b", "y/a", 80, .sctp),
            ]),

        ConformanceCase(
            name: "allow-all-ingress",
            specSentence: "If you want to allow all incoming connections to all pods in a namespace, you can create a policy that explicitly allows that.",
            upstream: "should support allow-all policy",
            policies: [NP.policy("x", "allow-all", ingress: [NP.allowAll])],
            probes: [
                .allow("x/b", "x/a"), .allow("y/a", "x/a", 81), .allow("z/a", "x/b", 80, .udp),
                .allow("198.18.5.5", "x/c"), .allow("y/b", "x/a", 81, .sctp), .allow("x/a", "y/a"),
            ]),

        ConformanceCase(
            name: "allow-all-ingress-beats-default-deny",
            specSentence: "With this policy in place, no additional policy or policies can cause any incoming connection to those pods to be denied.",
            policies: [
                NP.policy("x", "default-deny-ingress"),
                NP.policy("x", "allow-all-ingress", ingress: [NP.allowAll]),
            ],
            probes: [
                .allow("x/b", "x/a"), .allow("y/c", "x/b", 81), .allow("z/a", "x/c", 81, .udp),
                .allow("198.18.5.5", "x/a"), .allow("198.18.5.5", "x/a", 80, .udp),
            ]),

        ConformanceCase(
            name: "allow-only-port-80",
            specSentence: "Each rule allows traffic which matches both the from and ports sections. ... protocol: If not specified, this field defaults to TCP.",
            upstream: "should enforce multiple ingress policies with ingress allow-all policy taking precedence (first step)",
            policies: [NP.policy("x", "allow-ingress-port-80", ingress: [NP.rule(ports: [NP.port(80)])])],
            probes: [
                .allow("y/a", "x/a", 80), .deny("y/a", "x/a", 81), .deny("y/a", "x/a", 80, .udp),
                .allow("x/b", "x/c", 80), .allow("198.18.5.5", "x/a", 80), .deny("198.18.5.5", "x/a", 81),
            ]),

        ConformanceCase(
            name: "allow-all-ingress-takes-precedence",
            specSentence: "Network policies do not conflict; they are additive. If any policy or policies apply to a given pod for a given direction, the connections allowed in that direction from that pod is the union of what the applicable policies allow.",
            upstream: "should enforce multiple ingress policies with ingress allow-all policy taking precedence",
            policies: [
                NP.policy("x", "allow-ingress-port-80", ingress: [NP.rule(ports: [NP.port(80)])]),
                NP.policy("x", "allow-ingress", ingress: [NP.allowAll]),
            ],
            probes: [
                .allow("y/a", "x/a", 81), .allow("y/a", "x/a", 80), .allow("x/b", "x/a", 81),
                .allow("z/a", "x/c", 81, .udp), .allow("198.18.5.5", "x/b", 81),
            ]),

        ConformanceCase(
            name: "ingress-from-podselector-same-namespace",
            specSentence: "podSelector: This selects particular Pods in the same namespace as the NetworkPolicy which should be allowed as ingress sources or egress destinations.",
            upstream: "should enforce policy to allow traffic from pods within server namespace based on PodSelector",
            policies: [NP.policy("x", "x-a-allows-x-b", select: NP.pod("a"), ingress: [NP.rule([NP.pods(NP.pod("b"))])])],
            probes: [
                .allow("x/b", "x/a"), .deny("x/c", "x/a"), .deny("y/a", "x/a"),
                // pod=b in another namespace is not "in the same namespace as the NetworkPolicy".
                .deny("y/b", "x/a"), .deny("z/b", "x/a"), .deny("198.18.5.5", "x/a"),
                // No ports: every port and protocol.
                .allow("x/b", "x/a", 81), .allow("x/b", "x/a", 80, .udp),
                // x/c is not selected, so it stays open.
                .allow("x/b", "x/c"), .allow("x/a", "x/b"),
            ]),

        ConformanceCase(
            name: "ingress-for-a-target",
            specSentence: "If any policy or policies apply to a given pod for a given direction, the connections allowed in that direction from that pod is the union of what the applicable policies allow.",
            upstream: "should enforce policy to allow ingress traffic for a target",
            policies: [
                NP.policy("x", "deny-all"),
                NP.policy("x", "allow-all-to-a", select: NP.pod("a"),
                          ingress: [NP.rule([NP.pods(.everything, in: .everything)])]),
            ],
            probes: [
                .allow("x/b", "x/a"), .allow("y/a", "x/a"), .allow("z/c", "x/a"),
                // Selectors select pods (and hosts), never outside addresses.
                .deny("198.18.5.5", "x/a"),
                .deny("x/a", "x/b"), .deny("y/a", "x/b"), .deny("y/b", "x/c"),
                .allow("y/a", "y/b"),
            ]),

        ConformanceCase(
            name: "ingress-from-all-namespaces",
            specSentence: "namespaceSelector selects namespaces using cluster-scoped labels. This field follows standard label selector semantics; if present but empty, it selects all namespaces. (API reference, NetworkPolicyPeer)",
            upstream: "should enforce policy to allow ingress traffic from pods in all namespaces",
            policies: [NP.policy("x", "allow-from-another-ns", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.namespaces(.everything)])])],
            probes: [
                .allow("x/b", "x/a"), .allow("y/a", "x/a"), .allow("z/c", "x/a"), .allow("x/c", "x/a", 81),
                .deny("198.18.5.5", "x/a"),
                .allow("198.18.5.5", "x/b"),
            ]),

        ConformanceCase(
            name: "ingress-from-namespace-by-label",
            specSentence: "namespaceSelector: This selects particular namespaces for which all Pods should be allowed as ingress sources or egress destinations.",
            upstream: "should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector",
            policies: [NP.policy("x", "allow-client-a-via-ns-selector", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.namespaces(NP.ns("y"))])])],
            probes: [
                .deny("x/b", "x/a"), .deny("x/c", "x/a"),
                .allow("y/a", "x/a"), .allow("y/b", "x/a"), .allow("y/c", "x/a"),
                .deny("z/a", "x/a"), .deny("198.18.5.5", "x/a"),
                .allow("y/a", "x/b"),
            ]),

        ConformanceCase(
            name: "two-ingress-policies-add-up",
            specSentence: "Network policies do not conflict; they are additive. ... Thus, order of evaluation does not affect the policy result.",
            policies: [
                NP.policy("x", "from-b", select: NP.pod("a"), ingress: [NP.rule([NP.pods(NP.pod("b"))])]),
                NP.policy("x", "from-z-on-81", select: NP.pod("a"),
                          ingress: [NP.rule([NP.namespaces(NP.ns("z"))], ports: [NP.port(81)])]),
            ],
            probes: [
                .allow("x/b", "x/a"), .allow("x/b", "x/a", 81), .allow("z/a", "x/a", 81), .allow("z/c", "x/a", 81),
                .deny("z/a", "x/a", 80), .deny("z/a", "x/a", 81, .udp), .deny("x/c", "x/a"), .deny("y/b", "x/a", 81),
            ]),

        ConformanceCase(
            name: "deny-ingress-to-labelled-pod",
            specSentence: "A pod is isolated for ingress if there is any NetworkPolicy that both selects the pod and has \"Ingress\" in its policyTypes.",
            upstream: "should deny ingress access to updated pod (after the label is added)",
            universe: .standard().labelling("x/a", ["target": "isolated"]),
            policies: [NP.policy("x", "deny-ingress-via-label-selector", select: NP.labels(["target": "isolated"]))],
            probes: [
                .deny("y/a", "x/a"), .deny("x/b", "x/a"), .deny("198.18.5.5", "x/a", 81, .udp),
                .allow("y/a", "x/b"), .allow("x/a", "y/a"),
            ]),
    ]
}
