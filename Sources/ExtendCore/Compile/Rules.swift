/// The words of each kind of rule we write, in `iptables-save` order.
enum Rules {
    /// "-m conntrack --ctstate RELATED,ESTABLISHED": replies to connections
    /// that were admitted (by this side or the other) always pass.
    static func preamble(_ d: Direction, _ f: AddressFamily, guardSources: [CIDR], sshPort: Int) -> [RuleSpec] {
        var out = [RuleSpec(["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"])]
        out.append(RuleSpec([d == .ingress ? "-i" : "-o", "lo", "-j", "ACCEPT"]))
        if f == .inet6 { out += icmpv6Discovery }
        // The lockout guard: SSH from (requests in) and to (replies out) every
        // management source, whatever the policies say, also for sessions that
        // were open before the first rule was loaded (so not via conntrack alone).
        for src in guardSources {
            var w: [String] = []
            if src.prefix > 0 { w += [d == .ingress ? "-s" : "-d", src.description] }
            w += ["-p", "tcp", "-m", "tcp", d == .ingress ? "--dport" : "--sport", String(sshPort), "-j", "ACCEPT"]
            out.append(RuleSpec(w))
        }
        return out
    }

    /// IPv6 hosts find each other (and their routers) by ICMPv6, which
    /// conntrack does not track and no port rule matches: without these an
    /// isolated host could not even reach the peers its policies admit.
    /// RFC 4890 4.4.1, "Traffic That Must Not Be Dropped": "Router
    /// Solicitation (Type 133) ... Router Advertisement (Type 134) ... Neighbor
    /// Solicitation (Type 135) ... Neighbor Advertisement (Type 136)" and the
    /// "Link-local multicast receiver notification messages": "Listener Query
    /// (Type 130) ... Listener Report (Type 131) ... Listener Done (Type 132)
    /// ... Listener Report v2 (Type 143)". (Its error messages are RELATED to
    /// the connections they concern, admitted by the rule above.)
    static let icmpv6Discovery: [RuleSpec] = [130, 131, 132, 133, 134, 135, 136, 143].map {
        RuleSpec(["-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "\($0)", "-j", "ACCEPT"])
    }

    static func jump(to chain: String, comment: String) -> RuleSpec {
        RuleSpec(["-m", "comment", "--comment", comment, "-j", chain])
    }

    static func accept(_ d: Direction, set: String?, port: PortClause) -> RuleSpec {
        var w: [String] = []
        if let p = port.proto { w += ["-p", p.iptablesName] }
        if let set { w += ["-m", "set", "--match-set", set, d == .ingress ? "src" : "dst"] }
        if let p = port.proto, let r = port.range {
            w += ["-m", p.iptablesName, "--dport", r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound):\(r.upperBound)"]
        }
        return RuleSpec(w + ["-j", "ACCEPT"])
    }

    /// Rate-limited so a flood cannot fill the log: 6 a minute, burst 5 (the default).
    static func log(prefix: String) -> RuleSpec {
        RuleSpec(["-m", "limit", "--limit", "6/min", "-j", "LOG", "--log-prefix", prefix])
    }

    static let drop = RuleSpec(["-j", "DROP"])

    /// `npx:I:<8 hex> ` (or `npx:E:`): the hex names host, direction and the
    /// isolating policies; `extend explain --why` recomputes it to decode. 15
    /// characters, inside the kernel's 29.
    static func logPrefix(host: String, _ d: Direction, _ policies: [String]) -> String {
        let letter = d == .ingress ? "I" : "E"
        return "npx:\(letter):" + Naming.hex("\(host)\n\(d.rawValue)\n" + policies.joined(separator: "\n"), 8) + " "
    }
}
