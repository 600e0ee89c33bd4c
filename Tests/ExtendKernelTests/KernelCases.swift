import ConformanceSupport
import ExtendCore

extension ConformanceCase {
    /// Cases the shared data does not hold because only a kernel can fail
    /// them. In the shared dual-stack cases every admitted IPv6 peer is
    /// admitted on all ports and protocols, which lets its ICMPv6 through too;
    /// here the rules name ports, so neighbour discovery (ICMPv6, which no
    /// port rule matches and conntrack does not track) must pass by itself.
    static let kernelOnly: [ConformanceCase] = [
        ConformanceCase(
            name: "kernel-ipv6-port-rules-keep-neighbour-discovery",
            specSentence: "ports: List of ports which should be made accessible on the pods selected for this rule. [Over IPv6 a port rule admits the connection, which needs the hosts to find each other first: neighbour discovery is no traffic a policy selects.]",
            universe: .standard(ipv6: true),
            policies: [
                NP.policy("x", "v6-web-in", select: NP.pod("a"),
                          ingress: [NP.rule([NP.cidr("2001:db8:5::/48")], ports: [NP.port(80)])]),
                NP.policy("x", "v6-web-out", select: NP.pod("b"), types: [.egress],
                          egress: [NP.rule([NP.cidr("2001:db8:5::/48")], ports: [NP.port(81)])]),
            ],
            probes: [
                // x/a isolated for ingress: the outsider's solicitation must get in.
                .allow("2001:db8:5::5", "x/a", 80), .deny("2001:db8:5::5", "x/a", 81),
                .deny("2001:db8:5::5", "x/a", 80, .udp), .deny("2001:db8:6::1", "x/a", 80),
                // x/b isolated for egress: its own solicitation must get out...
                .allow("x/b", "2001:db8:5::5", 81), .deny("x/b", "2001:db8:5::5", 80),
                // ...and its advertisement too, answering a peer whose traffic its open ingress admits.
                .allow("2001:db8:6::1", "x/b", 80), .allow("2001:db8:5::5", "x/b", 80, .udp),
            ],
            ipv6: true),
    ]
}
