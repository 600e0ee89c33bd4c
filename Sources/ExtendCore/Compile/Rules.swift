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

    /// In NPX-INPUT / NPX-OUTPUT, a policy that isolates the host: the jump
    /// to its chain, or (`chain` nil: it admits nothing in this family) a rule
    /// without a target, which only counts, so that every isolating policy is named.
    static func policy(_ label: String, _ d: Direction, chain: String?) -> RuleSpec {
        let w = comment(.policy(label, direction: d))
        return RuleSpec(chain.map { w + ["-j", $0] } ?? w)
    }

    /// One accept of a policy rule; `index` is the rule's place in the
    /// policy's ingress or egress list.
    static func accept(_ d: Direction, set: String?, port: PortClause, policy label: String, index: Int) -> RuleSpec {
        var w: [String] = []
        if let p = port.proto { w += ["-p", p.iptablesName] }
        if let set { w += ["-m", "set", "--match-set", set, d == .ingress ? "src" : "dst"] }
        if let p = port.proto, let r = port.range {
            w += ["-m", p.iptablesName, "--dport", r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound):\(r.upperBound)"]
        }
        // iptables-save prints matches in the order they were given: the comment last.
        return RuleSpec(w + comment(.allow(policy: label, direction: d, rule: index)) + ["-j", "ACCEPT"])
    }

    static func comment(_ c: RuleComment) -> [String] { ["-m", "comment", "--comment", c.text] }

    /// Rate-limited so a flood cannot fill the log: 6 a minute, burst 5 (the default).
    static func log(prefix: String) -> RuleSpec {
        RuleSpec(["-m", "limit", "--limit", "6/min", "-j", "LOG", "--log-prefix", prefix])
    }

    /// The final rule of an isolated direction, reached by what no policy
    /// admits: it drops (enforce) or, in audit, accepts; either way it counts.
    /// `tag` names the isolating policies and their rules (`denyTag`), so
    /// that the rule, and with it its counter, is new when they change.
    static func deny(_ d: Direction, tag: String, _ e: Enforcement) -> RuleSpec {
        RuleSpec(comment(.deny(direction: d, tag: tag)) + ["-j", e.verdict])
    }

    /// 8 hex digits of the direction and, per isolating policy, its name and
    /// its chain in each family ("-" where it admits nothing); chain names
    /// are hashes of their rules.
    static func denyTag(_ d: Direction, _ policies: [(id: String, chains: [String?])]) -> String {
        Naming.hex("deny\n\(d.word)\n" + policies.map { p in
            ([p.id] + p.chains.map { $0 ?? "-" }).joined(separator: " ")
        }.joined(separator: "\n"), 8)
    }

    /// `npx:I:<8 hex> ` (or `npx:E:`): the hex names host, direction and the
    /// isolating policies; `extend explain --why` recomputes it to decode. 15
    /// characters, inside the kernel's 29.
    static func logPrefix(host: String, _ d: Direction, _ policies: [String]) -> String {
        let letter = d == .ingress ? "I" : "E"
        return "npx:\(letter):" + Naming.hex("\(host)\n\(d.rawValue)\n" + policies.joined(separator: "\n"), 8) + " "
    }
}
