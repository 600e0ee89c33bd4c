import ExtendCore

// Whole examples: the Weave Net / Wealth Wizards case study policies
// (/work/shared/examples/wealth-wizards-policies.yaml, exactly as published),
// the documentation's example policy, the documented default policies.

/// Namespace `live` (label name=live) with an ingress controller and an app;
/// namespace `canary` carries the same label name=live under another name.
private let wealthWizards = ConformanceUniverse.standard()
    .adding(namespace: "live", labels: ["name": "live"], members: [
        (name: "ingress", labels: ["name": "ingress-controller"], address: "198.18.0.41"),
        (name: "app", labels: ["name": "billing"], address: "198.18.0.42"),
    ])
    .adding(namespace: "canary", labels: ["name": "live"], members: [
        (name: "app", labels: ["name": "billing"], address: "198.18.0.51"),
    ])

/// `namespace-isolation-live`: no podSelector (all pods of live), one ingress
/// rule admitting every pod of namespaces labelled name=live.
private let namespaceIsolationLive = NP.policy(
    "live", "namespace-isolation-live",
    ingress: [NP.rule([NP.pods(.everything, in: NP.labels(["name": "live"]))])])

/// `elb-isolation-live`: pods name=ingress-controller admit TCP 443 and 80,
/// and then `{}` — everything, which makes the first rule redundant.
private let elbIsolationLive = NP.policy(
    "live", "elb-isolation-live", select: NP.labels(["name": "ingress-controller"]),
    ingress: [NP.rule(ports: [NP.port(443, .tcp), NP.port(80, .tcp)]), NP.allowAll])

/// The documentation's example, moved onto the test universe: role=db is x/a,
/// role=frontend is x/b and y/b, project=myproject is namespace z; 172.17.0.0/16
/// becomes 198.19.0.0/16, 10.0.0.0/24 becomes 198.18.0.32/28 (z/b, z/c), and
/// ports 6379/5978 become 80/81 so that something listens.
private let docExample = ConformanceUniverse.standard()
    .labelling("x/a", ["role": "db"])
    .labelling("x/b", ["role": "frontend"])
    .labelling("y/b", ["role": "frontend"])
    .labelling("z", ["project": "myproject"])

extension ConformanceCase {
    public static let examples: [ConformanceCase] = [
        ConformanceCase(
            name: "wealth-wizards-both-policies",
            specSentence: "Network policies do not conflict; they are additive. [namespace-isolation-live admits pods of namespaces labelled name=live; elb-isolation-live's rule {} admits anything to name=ingress-controller.]",
            universe: wealthWizards,
            policies: [namespaceIsolationLive, elbIsolationLive],
            probes: [
                .allow("live/ingress", "live/app", 80), .allow("live/ingress", "live/app", 81, .udp),
                .allow("canary/app", "live/app", 80),
                .deny("x/a", "live/app", 80), .deny("198.18.5.5", "live/app", 80),
                .allow("x/a", "live/ingress", 80), .allow("x/a", "live/ingress", 81),
                .allow("198.18.5.5", "live/ingress", 80), .allow("198.18.5.5", "live/ingress", 81, .udp),
                .allow("live/app", "live/ingress", 81),
                .allow("live/app", "x/a"), .allow("live/app", "198.18.5.5"), .allow("x/a", "y/a"),
            ]),

        ConformanceCase(
            name: "wealth-wizards-namespace-isolation-alone",
            specSentence: "namespaceSelector: This selects particular namespaces for which all Pods should be allowed as ingress sources ... [by label: any namespace labelled name=live, whatever its name].",
            universe: wealthWizards,
            policies: [namespaceIsolationLive],
            probes: [
                .deny("x/a", "live/ingress"), .deny("198.18.5.5", "live/ingress"), .deny("y/b", "live/app"),
                .allow("live/app", "live/ingress"), .allow("canary/app", "live/ingress"),
            ]),

        ConformanceCase(
            name: "wealth-wizards-elb-isolation-alone",
            specSentence: "If this field [from] is empty or missing, this rule matches all sources (traffic not restricted by source). If this field [ports] is empty or missing, this rule matches all ports.",
            universe: wealthWizards,
            policies: [elbIsolationLive],
            probes: [
                .allow("x/a", "live/ingress", 81), .allow("198.18.5.5", "live/ingress", 80, .udp),
                .allow("x/a", "live/app"), .allow("198.18.5.5", "live/app"),
            ]),

        ConformanceCase(
            name: "doc-example-test-network-policy",
            specSentence: "So, the example NetworkPolicy: 1. isolates \"role=db\" pods in the \"default\" namespace for both ingress and egress traffic ... 2. (Ingress rules) allows connections ... on TCP port 6379 from: any pod in the \"default\" namespace with the label \"role=frontend\"; any pod in a namespace with the label \"project=myproject\"; IP addresses in ... 172.17.0.0/16 except 172.17.1.0/24. 3. (Egress rules) allows connections from any pod in the \"default\" namespace with the label \"role=db\" to CIDR 10.0.0.0/24 on TCP port 5978",
            universe: docExample,
            policies: [NP.policy("x", "test-network-policy", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                                 ingress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"]),
                                                    NP.namespaces(NP.labels(["project": "myproject"])),
                                                    NP.pods(NP.labels(["role": "frontend"]))],
                                                   ports: [NP.port(80, .tcp)])],
                                 egress: [NP.rule([NP.cidr("198.18.0.32/28")], ports: [NP.port(81, .tcp)])])],
            probes: [
                .allow("x/b", "x/a", 80), .deny("y/b", "x/a", 80), .allow("z/a", "x/a", 80), .allow("z/c", "x/a", 80),
                .deny("x/c", "x/a", 80), .deny("x/b", "x/a", 81), .deny("x/b", "x/a", 80, .udp),
                .allow("198.19.0.9", "x/a", 80), .deny("198.19.1.9", "x/a", 80),
                .allow("x/a", "z/b", 81), .allow("x/a", "z/c", 81), .allow("x/a", "198.18.0.40", 81),
                .deny("x/a", "z/b", 80), .deny("x/a", "z/a", 81), .deny("x/a", "y/a", 81), .deny("x/a", "x/b", 81),
            ]),

        ConformanceCase(
            name: "default-deny-all",
            specSentence: "You can create a \"default\" policy for a namespace which prevents all ingress AND egress traffic by creating the following NetworkPolicy in that namespace. ... This ensures that even pods that aren't selected by any other NetworkPolicy will not be allowed ingress or egress traffic.",
            upstream: "should support a 'default-deny-all' policy",
            policies: [NP.policy("x", "deny-all", types: [.ingress, .egress])],
            probes: [
                .deny("x/a", "x/b"), .deny("x/b", "x/a"), .deny("x/a", "y/a"), .deny("y/a", "x/a"),
                .deny("x/a", "198.18.5.5"), .deny("198.18.5.5", "x/a"),
                .allow("y/a", "y/b"), .allow("y/a", "z/a", 80, .udp),
            ]),

        ConformanceCase(
            name: "policy-selecting-nothing",
            specSentence: "By default, a pod is non-isolated for ingress; all inbound connections are allowed. [A policy whose podSelector matches no pod isolates nothing.]",
            upstream: "should deny ingress access to updated pod (before the label is added)",
            policies: [NP.policy("x", "deny-ingress-via-label-selector", select: NP.labels(["target": "isolated"]),
                                 types: [.ingress, .egress])],
            probes: [
                .allow("x/b", "x/a"), .allow("y/a", "x/a"), .allow("x/a", "y/a"),
                .allow("198.18.5.5", "x/a"), .allow("x/a", "198.18.5.5"),
            ]),

        ConformanceCase(
            name: "no-policies",
            specSentence: "By default, if no policies exist in a namespace, then all ingress and egress traffic is allowed to and from pods in that namespace.",
            upstream: "should stop enforcing policies after they are deleted (after deletion)",
            policies: [],
            probes: [
                .allow("x/a", "y/b"), .allow("198.18.5.5", "z/c"), .allow("z/c", "198.18.5.5", 81, .udp),
                .allow("y/a", "x/a", 80, .sctp),
            ]),

        ConformanceCase(
            name: "a-pod-cannot-block-itself",
            specSentence: "Other pods that are allowed (exception: a pod cannot block access to itself). ... Pods cannot currently block localhost access.",
            policies: [NP.policy("x", "deny-all", types: [.ingress, .egress])],
            probes: [
                .allow("x/a", "x/a"), .allow("x/b", "x/b", 81, .udp),
                .deny("x/a", "x/b"), .deny("x/b", "x/a", 81, .udp),
            ]),
    ]
}
