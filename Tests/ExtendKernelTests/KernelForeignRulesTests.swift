import ConformanceSupport
import ExtendCore
import LabSupport
import Testing

/// "Apply whole, own only ours": rules, chains and sets that other tools put on
/// a host come through apply, a changed apply and the final cleanup untouched.
@Suite("Foreign rules survive apply in a real kernel", .kernelLab)
struct KernelForeignRulesTests {
    /// Another tool's state: rules in INPUT, OUTPUT and FORWARD (IPv4 and
    /// IPv6), a chain of its own reached from INPUT, a set of its own used by
    /// one of its rules.
    static let foreignIPSet = """
        create foreign-set hash:ip family inet hashsize 64 maxelem 1024
        add foreign-set 198.18.9.9
        add foreign-set 198.18.9.10

        """
    static let foreignIPv4 = """
        *filter
        :FOREIGN-CHAIN - [0:0]
        -A INPUT -p tcp -m tcp --dport 9999 -j ACCEPT
        -A INPUT -m set --match-set foreign-set src -j FOREIGN-CHAIN
        -A FOREIGN-CHAIN -p udp -m udp --dport 9998 -j ACCEPT
        -A FOREIGN-CHAIN -j RETURN
        -A OUTPUT -d 198.18.9.9/32 -p tcp -m tcp --dport 9997 -j ACCEPT
        -A FORWARD -s 198.18.9.0/24 -j DROP
        COMMIT

        """
    static let foreignIPv6 = """
        *filter
        -A INPUT -p tcp -m tcp --dport 9999 -j ACCEPT
        -A OUTPUT -d 2001:db8:9::9/128 -j ACCEPT
        COMMIT

        """

    /// x/a isolated both ways, with sets, ports and an ipBlock `except`.
    static let policiesA = [
        NP.policy("x", "a-first", select: NP.pod("a"), types: [.ingress, .egress],
                  ingress: [NP.rule([NP.namespaces(NP.ns("y"))], ports: [NP.port(80)])],
                  egress: [NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"])], ports: [NP.port(81, .udp)])]),
    ]
    /// Different sets and chains: a named port, an ipBlock, another namespace.
    static let policiesB = [
        NP.policy("x", "a-second", select: NP.pod("a"), types: [.ingress, .egress],
                  ingress: [NP.rule([NP.cidr("198.18.0.0/24")], ports: [NP.named("serve-81-tcp")])],
                  egress: [NP.rule([NP.namespaces(NP.ns("z"))])]),
    ]

    @Test("foreign rules, chain and set are byte-identical after apply, re-apply and cleanup")
    func foreignSurvives() throws {
        let universe = ConformanceUniverse.standard()
        let member = try #require(universe.member("x/a"))
        func desired(_ policies: [NetworkPolicy]) throws -> HostDesiredState {
            let world = universe.hostsWorld(policies)
            return Compiler(world: world).compile(try world.legacyHost(member))
        }
        let a = try desired(KernelForeignRulesTests.policiesA)
        let b = try desired(KernelForeignRulesTests.policiesB)
        let none = try desired([])
        #expect(!a.needsNothing && !b.needsNothing && none.needsNothing)
        #expect(Set(a.sets.map(\.name)) != Set(b.sets.map(\.name)))

        try KernelUniverse.with(universe, listening: false) { k in
            let host = try k.host("x/a")
            try k.lab.check(["ipset", "restore"], in: host, stdin: KernelForeignRulesTests.foreignIPSet)
            try k.lab.check(["iptables-restore", "--noflush"], in: host, stdin: KernelForeignRulesTests.foreignIPv4)
            try k.lab.check(["ip6tables-restore", "--noflush"], in: host, stdin: KernelForeignRulesTests.foreignIPv6)
            let before = try k.read([host])[0]
            #expect(before.iptables.contains("FOREIGN-CHAIN") && before.ipset.contains("foreign-set"))
            #expect(!before.holdsOurs)

            for (step, state) in [("apply", a), ("changed apply", b)] {
                try k.converge(host, to: state)
                let now = try k.read([host])[0]
                #expect(now.holdsOurs, "\(step): nothing of ours was loaded")
                #expect(now.foreign == before.foreign, "\(step) changed foreign state:\nbefore:\n\(before)\nafter:\n\(now)")
                let held = StateDiff.diff(observed: try now.observed(), desired: state)
                #expect(held.text.isEmpty, "\(step): the host does not hold exactly the desired state:\n\(held.text)")
            }

            try k.converge(host, to: none)
            let after = try k.read([host])[0]
            #expect(!after.holdsOurs, "cleanup left something of ours:\n\(after)")
            #expect(after == before, "cleanup did not give back the host as it was:\nbefore:\n\(before)\nafter:\n\(after)")
        }
    }
}
