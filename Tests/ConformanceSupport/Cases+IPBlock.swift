import ExtendCore

// ipBlock peers: CIDRs, except, /0, outsiders, and IPv6 (2001:db8::/32).
// Workloads hold 198.18.0.11–.33 (and 2001:db8::11–::33 when ipv6);
// every other address here belongs to no workload.

extension ConformanceCase {
    public static let ipBlock: [ConformanceCase] = [
        ConformanceCase(
            name: "egress-to-cidr-of-a-pod",
            specSentence: "ipBlock: This selects particular IP CIDR ranges to allow as ingress sources or egress destinations.",
            upstream: "should allow egress access to server in CIDR block",
            policies: [NP.policy("x", "allow-client-a-via-cidr-egress-rule", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.cidr("198.18.0.22/32")])])],
            probes: [
                .allow("x/a", "y/b"),
                .deny("x/a", "y/a"), .deny("x/a", "x/b"), .deny("x/a", "198.18.5.5"),
                .allow("x/b", "y/a"),
            ]),

        ConformanceCase(
            name: "egress-cidr-except",
            specSentence: "except is a slice of CIDRs that should not be included within an IPBlock. (API reference, IPBlock)",
            upstream: "should enforce except clause while egress access to server in CIDR block",
            policies: [NP.policy("x", "allow-client-a-via-cidr-egress-rule", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.cidr("198.18.0.0/24", except: ["198.18.0.12/32"])])])],
            probes: [
                .deny("x/a", "x/b"),
                .allow("x/a", "x/c"), .allow("x/a", "y/a"), .allow("x/a", "z/c"), .allow("x/a", "198.18.0.200"),
                .deny("x/a", "198.18.5.5"),
            ]),

        ConformanceCase(
            name: "cidr-and-except-overlap-with-another-policy",
            specSentence: "Network policies do not conflict; they are additive. [An address excepted by one policy's ipBlock and admitted by another's is admitted.]",
            upstream: "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
            policies: [
                NP.policy("x", "allow-client-a-via-cidr-egress-rule", select: NP.pod("a"), types: [.egress],
                          egress: [NP.rule([NP.cidr("198.18.0.0/24", except: ["198.18.0.12/32"])])]),
                NP.policy("x", "allow-client-a-to-b", select: NP.pod("a"), types: [.egress],
                          egress: [NP.rule([NP.cidr("198.18.0.12/32")])]),
            ],
            probes: [
                .allow("x/a", "x/b"), .allow("x/a", "x/c"), .allow("x/a", "y/a"),
                .deny("x/a", "198.18.5.5"),
            ]),

        ConformanceCase(
            name: "ingress-cidr-except-ranges",
            specSentence: "IP addresses in the ranges 172.17.0.0–172.17.0.255 and 172.17.2.0–172.17.255.255 (ie, all of 172.17.0.0/16 except 172.17.1.0/24) [here 198.19.0.0/16 except 198.19.1.0/24]",
            policies: [NP.policy("x", "from-outside-except", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"])], ports: [NP.port(80)])])],
            probes: [
                .allow("198.19.0.5", "x/a"), .allow("198.19.0.255", "x/a"), .allow("198.19.2.0", "x/a"),
                .allow("198.19.255.254", "x/a"),
                .deny("198.19.1.1", "x/a"), .deny("198.19.1.255", "x/a"), .deny("198.18.5.5", "x/a"),
                .deny("198.19.0.5", "x/a", 81), .deny("x/b", "x/a"),
            ]),

        ConformanceCase(
            name: "ingress-cidr-slash-zero",
            specSentence: "IPBlock describes a particular CIDR (Ex. \"192.168.1.0/24\",\"2001:db8::/64\") that is allowed to the pods matched by a NetworkPolicySpec's podSelector. [0.0.0.0/0 holds every IPv4 address, pods' included.]",
            policies: [NP.policy("x", "from-anywhere-v4", select: NP.pod("a"), ingress: [NP.rule([NP.cidr("0.0.0.0/0")])])],
            probes: [
                .allow("198.18.5.5", "x/a"), .allow("198.19.200.1", "x/a"), .allow("198.18.5.5", "x/a", 81, .udp),
                .allow("x/b", "x/a"), .allow("y/a", "x/a"), .allow("x/b", "x/c"),
            ]),

        ConformanceCase(
            name: "egress-to-external-cidr",
            specSentence: "ipBlock: ... These should be cluster-external IPs, since Pod IPs are ephemeral and unpredictable.",
            policies: [NP.policy("x", "to-partner", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.cidr("198.19.77.0/24")])])],
            probes: [
                .allow("x/a", "198.19.77.7"), .allow("x/a", "198.19.77.7", 81, .udp),
                .deny("x/a", "198.19.78.7"), .deny("x/a", "198.18.5.5"), .deny("x/a", "x/b"),
                .allow("x/b", "198.19.78.7"),
            ]),

        ConformanceCase(
            name: "egress-everything-but-internal",
            specSentence: "except is a slice of CIDRs that should not be included within an IPBlock.",
            policies: [NP.policy("x", "internet-only", select: NP.pod("a"), types: [.egress],
                                 egress: [NP.rule([NP.cidr("0.0.0.0/0", except: ["198.18.0.0/24"])])])],
            probes: [
                .deny("x/a", "y/a"), .deny("x/a", "z/c"), .deny("x/a", "198.18.0.200"),
                .allow("x/a", "198.18.5.5"), .allow("x/a", "198.19.1.1", 81, .udp),
            ]),

        ConformanceCase(
            name: "ingress-cidr-over-pod-addresses",
            specSentence: "ipBlock: This selects particular IP CIDR ranges to allow as ingress sources ... [by address, whatever holds it].",
            policies: [NP.policy("x", "from-198.18.0.20-30", select: NP.pod("a"),
                                 ingress: [NP.rule([NP.cidr("198.18.0.20/30")])])],
            probes: [
                .allow("y/a", "x/a"), .allow("y/c", "x/a"), .allow("198.18.0.20", "x/a"),
                .deny("x/b", "x/a"), .deny("z/a", "x/a"), .deny("198.18.0.24", "x/a"),
            ]),

        ConformanceCase(
            name: "dual-stack-ipv6-cidr",
            specSentence: "IPBlock describes a particular CIDR (Ex. \"192.168.1.0/24\",\"2001:db8::/64\") that is allowed to the pods matched by a NetworkPolicySpec's podSelector. [An IPv6 block admits IPv6 sources only; between two dual-stack workloads the connection uses IPv4.]",
            universe: .standard(ipv6: true),
            policies: [
                NP.policy("x", "v6-clients", select: NP.pod("a"),
                          ingress: [NP.rule([NP.cidr("2001:db8:5::/48", except: ["2001:db8:5:dead::/64"])])]),
                NP.policy("x", "b-v6-out", select: NP.pod("b"), types: [.egress], egress: [NP.rule([NP.cidr("::/0")])]),
            ],
            probes: [
                .allow("2001:db8:5::5", "x/a"), .allow("2001:db8:5::5", "x/a", 81, .udp),
                .deny("2001:db8:5:dead::1", "x/a"), .deny("2001:db8:6::1", "x/a"), .deny("198.18.5.5", "x/a"),
                .deny("y/a", "x/a"), .deny("x/c", "x/a"),
                .allow("x/b", "2001:db8:5::5"), .deny("x/b", "198.18.5.5"), .deny("x/b", "y/a"),
                .allow("2001:db8:5::5", "x/b"),
            ],
            ipv6: true),

        ConformanceCase(
            name: "dual-stack-families-do-not-cross",
            specSentence: "ipBlock: This selects particular IP CIDR ranges [of one address family: 0.0.0.0/0 holds no IPv6 address, ::/0 no IPv4 address].",
            universe: .standard(ipv6: true),
            policies: [
                NP.policy("x", "all-v4", select: NP.pod("a"), ingress: [NP.rule([NP.cidr("0.0.0.0/0")])]),
                NP.policy("x", "all-v6", select: NP.pod("b"), ingress: [NP.rule([NP.cidr("::/0")])]),
            ],
            probes: [
                .deny("2001:db8:5::5", "x/a"), .allow("198.18.5.5", "x/a"), .allow("y/a", "x/a"),
                .allow("2001:db8:5::5", "x/b"), .deny("198.18.5.5", "x/b"), .deny("y/a", "x/b"),
            ],
            ipv6: true),
    ]
}
