import ExtendCore

// Egress isolation, policyTypes, and the rule that both ends must agree.

extension ConformanceCase {
    public static let egress: [ConformanceCase] = [
        ConformanceCase(
            name: "default-deny-egress",
            specSentence: "You can create a \"default\" egress isolation policy for a namespace by creating a NetworkPolicy that selects all pods but does not allow any egress traffic from those pods. ... This policy does not change the ingress isolation behavior of any pod.",
            upstream: "should deny egress from all pods in a namespace",
            policies: [NP.policy("x", "default-deny-egress", types: [.egress])],
            probes: [
                .deny("x/a", "x/b"), .deny("x/a", "y/a"), .deny("x/b", "z/c"),
                .deny("x/a", "198.18.5.5"), .deny("x/c", "198.18.5.5", 80, .udp),
                .allow("y/a", "x/a"), .allow("198.18.5.5", "x/a"), .allow("y/a", "y/b"),
            ]),

        ConformanceCase(
            name: "deny-egress-by-podselector",
            specSentence: "A pod is isolated for egress if there is any NetworkPolicy that both selects the pod and has \"Egress\" in its policyTypes.",
            upstream: "should deny egress from pods based on PodSelector",
            policies: [NP.policy("x", "deny-egress-pod-a", select: NP.pod("a"), types: [.egress])],
            probes: [
                .deny("x/a", "x/b"), .deny("x/a", "y/a"), .deny("x/a", "198.18.5.5"),
                .allow("x/b", "x/a"), .allow("x/b", "y/a"), .allow("y/a", "x/a"),
            ]),

        ConformanceCase(
            name: "allow-all-egress",
            specSentence: "If you want to allow all connections from all pods in a namespace, you can create a policy that explicitly allows all outgoing connections from pods in that namespace. With this policy in place, no additional policy or policies can cause any outgoing connection from those pods to be denied.",
            policies: [
                NP.policy("x", "default-deny-egress", types: [.egress]),
                NP.policy("x", "allow-all-egress", types: [.egress], egress: [NP.allowAll]),
            ],
            probes: [
                .allow("x/a", "x/b"), .allow("x/a", "y/a", 81), .allow("x/b", "198.18.5.5"),
                .allow("x/c", "z/c", 80, .udp), .allow("x/a", "y/b", 80, .sctp), .allow("y/a", "x/a"),
            ]),

        ConformanceCase(
            name: "egress-only-port-80",
            specSentence: "Each rule allows traffic which matches both the to and ports sections. ... If this field [to] is empty or missing, this rule matches all destinations (traffic not restricted by destination).",
            upstream: "should enforce multiple egress policies with egress allow-all policy taking precedence (first step)",
            policies: [NP.policy("x", "allow-egress-port-80", types: [.egress], egress: [NP.rule(ports: [NP.port(80)])])],
            probes: [
                .deny("x/a", "y/a", 81), .allow("x/a", "y/a", 80),
                .allow("x/a", "198.18.5.5", 80), .deny("x/a", "198.18.5.5", 81),
                .deny("x/b", "x/c", 80, .udp), .allow("y/a", "x/a", 81),
            ]),

        ConformanceCase(
            name: "allow-all-egress-takes-precedence",
            specSentence: "If any policy or policies apply to a given pod for a given direction, the connections allowed in that direction from that pod is the union of what the applicable policies allow.",
            upstream: "should enforce multiple egress policies with egress allow-all policy taking precedence",
            policies: [
                NP.policy("x", "allow-egress-port-80", types: [.egress], egress: [NP.rule(ports: [NP.port(80)])]),
                NP.policy("x", "allow-egress", types: [.egress], egress: [NP.allowAll]),
            ],
            probes: [
                .allow("x/a", "y/a", 81), .allow("x/b", "z/a", 81), .allow("x/a", "198.18.5.5", 81),
                .allow("x/c", "y/c", 81, .udp),
            ]),

        ConformanceCase(
            name: "policytypes-inferred-from-egress-rules",
            specSentence: "If no policyTypes are specified on a NetworkPolicy then by default Ingress will always be set and Egress will be set if the NetworkPolicy has any egress rules.",
            policies: [NP.policy("x", "a-to-b", select: NP.pod("a"), egress: [NP.rule([NP.pods(NP.pod("b"))])])],
            probes: [
                .allow("x/a", "x/b"), .deny("x/a", "x/c"),
                // Ingress is set too, and the policy has no ingress rules: x/a admits nothing.
                .deny("x/b", "x/a"), .deny("y/a", "x/a"), .deny("198.18.5.5", "x/a"),
                .allow("x/b", "x/c"),
            ]),

        ConformanceCase(
            name: "policytypes-egress-only-leaves-ingress-open",
            specSentence: "The policyTypes field indicates whether or not the given policy applies to ingress traffic to selected pod, egress traffic from selected pods, or both.",
            policies: [NP.policy("x", "a-to-b", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.pods(NP.pod("b"))])])],
            probes: [
                .allow("x/a", "x/b"), .deny("x/a", "x/c"),
                .allow("x/b", "x/a"), .allow("y/a", "x/a"), .allow("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "ingress-and-egress-together",
            specSentence: "Each NetworkPolicy includes a policyTypes list which may include either Ingress, Egress, or both.",
            upstream: "should work with Ingress, Egress specified together",
            policies: [NP.policy("x", "allow-client-a-via-pod-selector", select: NP.pod("a"), types: [.egress, .ingress],
                                 ingress: [NP.rule([NP.pods(NP.pod("b"))])],
                                 egress: [NP.rule(ports: [NP.port(80)])])],
            probes: [
                .allow("x/b", "x/a", 80), .deny("x/c", "x/a", 80), .deny("y/a", "x/a", 80),
                .allow("x/a", "y/a", 80), .allow("x/a", "x/b", 80), .allow("x/a", "198.18.5.5", 80),
                .deny("x/a", "y/a", 81), .allow("x/b", "x/a", 81), .deny("x/a", "x/c", 81),
            ]),

        ConformanceCase(
            name: "client-side-egress-denial",
            specSentence: "For a connection from a source pod to a destination pod to be allowed, both the egress policy on the source pod and the ingress policy on the destination pod need to allow the connection. If either side does not allow the connection, it will not happen.",
            upstream: "should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)",
            policies: [
                NP.policy("x", "allow-to-ns-y-pod-a", select: NP.pod("a"), types: [.egress],
                          egress: [NP.rule([NP.pods(NP.pod("a"), in: NP.nsName("y"))])]),
                NP.policy("y", "allow-from-xa-on-ya-match-selector", select: NP.pod("a"), types: [.ingress],
                          ingress: [NP.rule([NP.pods(NP.pod("a"), in: NP.nsName("x"))])]),
                NP.policy("y", "allow-from-xa-on-yb-match-selector", select: NP.pod("b"), types: [.ingress],
                          ingress: [NP.rule([NP.pods(NP.pod("a"), in: NP.nsName("x"))])]),
            ],
            probes: [
                .allow("x/a", "y/a"),
                .deny("x/a", "y/b"),  // y/b's ingress admits x/a, but x/a's egress does not reach y/b
                .deny("x/b", "y/a"), .deny("x/b", "y/b"), .deny("y/a", "y/b"), .deny("y/c", "y/a"),
                .deny("x/a", "x/b"), .allow("x/b", "x/a"), .allow("z/a", "y/c"),
            ]),

        ConformanceCase(
            name: "both-ends-must-allow",
            specSentence: "For a connection from a source pod to a destination pod to be allowed, both the egress policy on the source pod and the ingress policy on the destination pod need to allow the connection.",
            policies: [
                NP.policy("x", "a-to-y", select: NP.pod("a"), types: [.egress], egress: [NP.rule([NP.namespaces(NP.ns("y"))])]),
                NP.policy("y", "b-from-z", select: NP.pod("b"), ingress: [NP.rule([NP.namespaces(NP.ns("z"))])]),
            ],
            probes: [
                .allow("x/a", "y/a"),
                .deny("x/a", "y/b"),   // egress allows, ingress denies
                .deny("x/a", "z/a"),   // egress denies, z/a is not isolated
                .allow("z/a", "y/b"), .allow("z/b", "y/b"), .deny("x/b", "y/b"),
                .allow("x/a", "y/c", 81, .udp),
            ]),

        ConformanceCase(
            name: "egress-to-pod-in-other-namespace",
            specSentence: "A single to/from entry that specifies both namespaceSelector and podSelector selects particular Pods within particular namespaces.",
            upstream: "should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector",
            policies: [NP.policy("x", "allow-to-ns-y-pod-a", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.pods(NP.pod("a"), in: NP.nsName("y"))])])],
            probes: [
                .allow("x/a", "y/a"), .allow("x/a", "y/a", 81, .udp),
                .deny("x/a", "y/b"), .deny("x/a", "z/a"), .deny("x/a", "x/b"), .deny("x/a", "198.18.5.5"),
                .allow("x/b", "y/b"),
            ]),

        ConformanceCase(
            name: "ingress-and-egress-independent",
            specSentence: "The two sorts of isolation (or not) are declared independently, and are both relevant for a connection from one pod to another.",
            upstream: "should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector",
            policies: [
                NP.policy("x", "allow-egress-for-target", select: NP.pod("a"), types: [.egress], egress: [NP.allowAll]),
                NP.policy("x", "deny-ingress-via-label-selector", select: NP.pod("a"), types: [.ingress]),
            ],
            probes: [
                .allow("x/a", "x/b"), .allow("x/a", "y/a"), .allow("x/a", "198.18.5.5"),
                .deny("x/b", "x/a"), .deny("y/a", "x/a"),
            ]),

        ConformanceCase(
            name: "egress-to-podselector-own-namespace",
            specSentence: "podSelector: This selects particular Pods in the same namespace as the NetworkPolicy which should be allowed as ingress sources or egress destinations.",
            policies: [NP.policy("x", "to-b", types: [.egress], egress: [NP.rule([NP.pods(NP.pod("b"))])])],
            probes: [
                .allow("x/a", "x/b"), .allow("x/c", "x/b"),
                .deny("x/a", "y/b"), .deny("x/a", "x/c"), .deny("x/a", "198.18.5.5"),
                .allow("y/a", "x/a"),
            ]),
    ]
}
