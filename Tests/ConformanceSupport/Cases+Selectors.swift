import ExtendCore

// Peer selectors: podSelector, namespaceSelector, both in one peer (AND) or
// in two peers (OR), and the matchExpressions operators.

/// x/a tier=db would be the target; tiers go on y's workloads instead, so the
/// sources that lack the key sit in x, y and z alike.
private let tiered = ConformanceUniverse.standard()
    .labelling("y/a", ["tier": "db"])
    .labelling("y/b", ["tier": "web"])

private let notInX = NP.expr("kubernetes.io/metadata.name", .notIn, ["x"])

extension ConformanceCase {
    public static let selectors: [ConformanceCase] = [
        ConformanceCase(
            name: "peer-podselector-and-namespaceselector",
            specSentence: "namespaceSelector and podSelector: A single to/from entry that specifies both namespaceSelector and podSelector selects particular Pods within particular namespaces.",
            upstream: "should enforce policy based on PodSelector and NamespaceSelector",
            policies: [NP.policy("x", "allow-ns-y-podselector-and-nsselector", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.pods(NP.pod("b"), in: notInX)])])],
            probes: [
                .allow("y/b", "x/a"), .allow("z/b", "x/a"),
                .deny("x/b", "x/a"), .deny("y/a", "x/a"), .deny("z/a", "x/a"), .deny("y/c", "x/a"),
                .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "peer-podselector-or-namespaceselector",
            specSentence: "[two elements in the from array] allows connections from Pods in the local Namespace with the label role=client, or from any Pod in any namespace with the label user=alice.",
            upstream: "should enforce policy based on PodSelector or NamespaceSelector",
            policies: [NP.policy("x", "allow-ns-y-match-selector", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(notInX), NP.pods(NP.pod("b"))])])],
            probes: [
                .allow("x/b", "x/a"), .deny("x/c", "x/a"),
                .allow("y/a", "x/a"), .allow("y/c", "x/a"), .allow("z/a", "x/a"), .allow("z/b", "x/a"),
                .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "doc-alice-and",
            specSentence: "contains a single from element allowing connections from Pods with the label role=client in namespaces with the label user=alice.",
            universe: .standard().labelling("y", ["user": "alice"])
                .labelling("x/b", ["role": "client"]).labelling("y/b", ["role": "client"]).labelling("z/b", ["role": "client"]),
            policies: [NP.policy("x", "alice-clients", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(NP.labels(["role": "client"]), in: NP.labels(["user": "alice"]))])])],
            probes: [
                .allow("y/b", "x/a"),
                .deny("y/a", "x/a"), .deny("y/c", "x/a"), .deny("x/b", "x/a"), .deny("z/b", "x/a"),
            ]),

        ConformanceCase(
            name: "doc-alice-or",
            specSentence: "contains two elements in the from array, and allows connections from Pods in the local Namespace with the label role=client, or from any Pod in any namespace with the label user=alice.",
            universe: .standard().labelling("y", ["user": "alice"])
                .labelling("x/b", ["role": "client"]).labelling("y/b", ["role": "client"]).labelling("z/b", ["role": "client"]),
            policies: [NP.policy("x", "alice-or-clients", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.namespaces(NP.labels(["user": "alice"])),
                                                    NP.pods(NP.labels(["role": "client"]))])])],
            probes: [
                .allow("y/a", "x/a"), .allow("y/b", "x/a"), .allow("y/c", "x/a"), .allow("x/b", "x/a"),
                .deny("x/c", "x/a"), .deny("z/b", "x/a"), .deny("z/a", "x/a"),
            ]),

        ConformanceCase(
            name: "multiple-podselectors-and-namespaceselectors",
            specSentence: "In: the label's value must be one of the values; NotIn: the label's value must not be one of the values. (LabelSelectorRequirement)",
            upstream: "should enforce policy based on Multiple PodSelectors and NamespaceSelectors",
            policies: [NP.policy("x", "allow-ns-y-z-pod-b-c", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.pods(NP.expr("pod", .in, ["b", "c"]), in: notInX)])])],
            probes: [
                .allow("y/b", "x/a"), .allow("y/c", "x/a"), .allow("z/c", "x/a"),
                .deny("y/a", "x/a"), .deny("x/b", "x/a"), .deny("x/c", "x/a"), .deny("z/a", "x/a"),
            ]),

        ConformanceCase(
            name: "any-of-two-podselectors",
            specSentence: "Each rule allows traffic which matches both the from and ports sections [any one entry of from suffices].",
            upstream: "should enforce policy based on any PodSelectors",
            policies: [NP.policy("x", "allow-ns-x-pod-b-c", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.pods(NP.pod("b")), NP.pods(NP.pod("c"))])])],
            probes: [
                .allow("x/b", "x/a"), .allow("x/c", "x/a"),
                .deny("y/b", "x/a"), .deny("y/c", "x/a"), .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "podselector-matchexpressions-in",
            specSentence: "matchExpressions is a list of label selector requirements. The requirements are ANDed.",
            upstream: "should enforce policy based on PodSelector with MatchExpressions",
            policies: [NP.policy("x", "x-a-allows-x-b", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.pods(NP.expr("pod", .in, ["b"]))])])],
            probes: [
                .allow("x/b", "x/a"), .allow("x/b", "x/a", 81, .udp),
                .deny("x/c", "x/a"), .deny("y/a", "x/a"), .deny("y/b", "x/a"),
            ]),

        ConformanceCase(
            name: "namespaceselector-matchexpressions-in",
            specSentence: "namespaceSelector: This selects particular namespaces for which all Pods should be allowed as ingress sources or egress destinations.",
            upstream: "should enforce policy based on NamespaceSelector with MatchExpressions",
            policies: [NP.policy("x", "allow-ns-y-match-selector", select: NP.pod("a"), types: [.ingress],
                                 ingress: [NP.rule([NP.namespaces(NP.expr("kubernetes.io/metadata.name", .in, ["y"]))])])],
            probes: [
                .allow("y/a", "x/a"), .allow("y/b", "x/a"),
                .deny("x/b", "x/a"), .deny("z/a", "x/a"), .deny("z/c", "x/a"),
            ]),

        ConformanceCase(
            name: "notin-matches-pods-lacking-the-key",
            specSentence: "NotIn: the label's value must not be one of the values; an object that lacks the key matches (labels.Requirement.Matches: \"NotIn ... returns true if the key is not present\").",
            universe: tiered,
            policies: [NP.policy("x", "not-db", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(NP.expr("tier", .notIn, ["db"]), in: .everything)])])],
            probes: [
                .allow("x/b", "x/a"), .allow("x/c", "x/a"), .allow("y/b", "x/a"), .allow("y/c", "x/a"), .allow("z/a", "x/a"),
                .deny("y/a", "x/a"), .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "doesnotexist-matches-pods-lacking-the-key",
            specSentence: "DoesNotExist: the label key must not be present (labels.Requirement.Matches).",
            universe: tiered,
            policies: [NP.policy("x", "untiered", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(NP.expr("tier", .doesNotExist), in: .everything)])])],
            probes: [
                .deny("y/a", "x/a"), .deny("y/b", "x/a"),
                .allow("y/c", "x/a"), .allow("x/b", "x/a"), .allow("z/c", "x/a"),
                .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "exists-needs-the-key",
            specSentence: "Exists: the label key must be present, whatever its value (labels.Requirement.Matches).",
            universe: tiered,
            policies: [NP.policy("x", "tiered", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(NP.expr("tier", .exists), in: .everything)])])],
            probes: [
                .allow("y/a", "x/a"), .allow("y/b", "x/a"),
                .deny("y/c", "x/a"), .deny("x/b", "x/a"), .deny("z/c", "x/a"),
            ]),

        ConformanceCase(
            name: "namespace-expressions-on-namespaces-lacking-the-key",
            specSentence: "NotIn and DoesNotExist match objects that lack the key — namespaces included (namespaceSelector follows standard label selector semantics).",
            universe: .standard().labelling("y", ["env": "prod"]).labelling("z", ["env": "dev"]),
            policies: [
                NP.policy("x", "not-prod", select: NP.pod("a"),
                          ingress: [NP.rule([NP.namespaces(NP.expr("env", .notIn, ["prod"]))])]),
                NP.policy("x", "no-env", select: NP.pod("b"),
                          ingress: [NP.rule([NP.namespaces(NP.expr("env", .doesNotExist))])]),
            ],
            probes: [
                .allow("x/c", "x/a"), .deny("y/a", "x/a"), .allow("z/a", "x/a"),
                .allow("x/c", "x/b"), .deny("y/a", "x/b"), .deny("z/a", "x/b"),
            ]),

        ConformanceCase(
            name: "empty-podselector-peer-is-own-namespace",
            specSentence: "podSelector: This selects particular Pods in the same namespace as the NetworkPolicy ... [an empty podSelector without namespaceSelector selects every pod of the policy's namespace, and nothing else].",
            upstream: "should deny ingress from pods on other namespaces",
            policies: [NP.policy("x", "deny-empty-policy", types: [.ingress], ingress: [NP.rule([NP.pods(.everything)])])],
            probes: [
                .allow("x/b", "x/a"), .allow("x/c", "x/b"), .allow("x/a", "x/c"),
                .deny("y/a", "x/a"), .deny("z/b", "x/c"), .deny("198.18.5.5", "x/a"),
                .allow("y/a", "y/b"), .allow("x/a", "y/a"),
            ]),

        ConformanceCase(
            name: "empty-namespaceselector-widens-podselector",
            specSentence: "If namespaceSelector is also set, then the NetworkPolicyPeer as a whole selects the pods matching podSelector in the Namespaces selected by NamespaceSelector. ... if present but empty, it selects all namespaces.",
            policies: [NP.policy("x", "b-anywhere", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(NP.pod("b"), in: .everything)])])],
            probes: [
                .allow("x/b", "x/a"), .allow("y/b", "x/a"), .allow("z/b", "x/a"),
                .deny("y/c", "x/a"), .deny("x/c", "x/a"), .deny("198.18.5.5", "x/a"),
            ]),

        ConformanceCase(
            name: "namespaceselector-default-name-label",
            specSentence: "The Kubernetes control plane sets an immutable label kubernetes.io/metadata.name on all namespaces ... you can use the standardized label to target a specific namespace.",
            upstream: "should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label",
            policies: [NP.policy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label", select: NP.pod("a"),
                                 types: [.ingress], ingress: [NP.rule([NP.namespaces(NP.nsName("y"))])])],
            probes: [
                .allow("y/a", "x/a"), .allow("y/c", "x/a"),
                .deny("x/b", "x/a"), .deny("z/a", "x/a"),
            ]),

        ConformanceCase(
            name: "egress-namespaceselector-notin-default-label",
            specSentence: "namespaceSelector: This selects particular namespaces for which all Pods should be allowed as ingress sources or egress destinations.",
            upstream: "should enforce policy based on NamespaceSelector with MatchExpressions using default ns label",
            policies: [NP.policy("x", "allow-ns-y-match-selector-for-immutable-ns-label", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.namespaces(NP.expr("kubernetes.io/metadata.name", .notIn, ["y"]))])])],
            probes: [
                .allow("x/a", "x/b"), .allow("x/a", "x/c"), .allow("x/a", "z/a"),
                .deny("x/a", "y/a"), .deny("x/a", "y/b"), .deny("x/a", "198.18.5.5"),
                .allow("x/b", "y/a"), .allow("y/a", "x/a"),
            ]),

        ConformanceCase(
            name: "policy-selects-only-in-its-namespace",
            specSentence: "podSelector: Each NetworkPolicy includes a podSelector which selects the grouping of pods to which the policy applies. ... An empty podSelector selects all pods in the namespace.",
            policies: [NP.policy("y", "deny-a", select: NP.pod("a"))],
            probes: [
                .allow("x/b", "x/a"), .allow("y/b", "x/a"), .allow("z/a", "z/b"),
                .deny("y/b", "y/a"), .deny("z/c", "y/a"), .allow("x/a", "y/b"),
            ]),

        ConformanceCase(
            name: "matchlabels-and-matchexpressions-are-anded",
            specSentence: "A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed.",
            universe: tiered,
            policies: [NP.policy("x", "tiered-b", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.pods(LabelSelector(matchLabels: ["pod": "b"],
                                                                          matchExpressions: [.init(key: "tier", op: .exists)]),
                                                            in: .everything)])])],
            probes: [
                .allow("y/b", "x/a"),
                .deny("x/b", "x/a"), .deny("y/a", "x/a"), .deny("z/b", "x/a"),
            ]),
    ]
}
