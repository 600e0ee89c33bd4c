import ConformanceSupport
import ExtendCore
import LabSupport
import Testing

/// A conformance universe loaded into a kernel lab: one network namespace per
/// workload (the lab host is named by its logical reference, `x/a`), plus one
/// `outside` namespace that carries every bare address the probes use, so
/// that probes from and to outsiders are real traffic. Every workload is a
/// legacy host, so both ends of a connection between two of them are enforced
/// by our rules; the outside namespace has no rules at all.
struct KernelUniverse {
    static let outside = "outside"

    let universe: ConformanceUniverse
    let lab: NetnsLab

    /// Builds the lab, runs `body`, tears the lab down however `body` ends.
    static func with<T>(_ universe: ConformanceUniverse, outsiders: Set<IPAddress> = [], listening: Bool = true,
                        _ body: (KernelUniverse) throws -> T) throws -> T {
        var specs = universe.members.map { NetnsHost.Spec(name: $0.logicalRef, addresses: $0.addresses.map(\.description)) }
        if !outsiders.isEmpty {
            specs.append(NetnsHost.Spec(name: outside, addresses: outsiders.sorted().map(\.description)))
        }
        return try NetnsLab.withLab(specs, listening: listening ? [80, 81] : []) { lab in
            try body(KernelUniverse(universe: universe, lab: lab))
        }
    }

    /// The namespace that sends or receives for a logical probe end: the
    /// workload's own, or `outside` for a bare address.
    func host(_ logical: String) throws -> NetnsHost {
        let name = universe.member(logical) == nil ? KernelUniverse.outside : logical
        return try #require(lab.host(name), "no lab host for \(logical)")
    }

    // MARK: Loading

    /// Loads each host's payloads the way a fresh host gets them: `ipset
    /// restore`, then `iptables-restore --noflush` and `ip6tables-restore
    /// --noflush`, every host at once, one phase after the other.
    func load(_ rendered: [(host: NetnsHost, payloads: RenderedHost)]) throws {
        try lab.checkAll(rendered.filter { !$0.payloads.ipset.isEmpty }
            .map { ($0.host, ["ipset", "restore"], $0.payloads.ipset) })
        for f in AddressFamily.allCases {
            try lab.checkAll(rendered.compactMap { r in
                r.payloads.iptables[f].map { (r.host, [KernelUniverse.restore(f), "--noflush"], $0) }
            })
        }
    }

    /// Runs a plan's steps on the host, in order, as apply does.
    func apply(_ plan: HostPlan, to host: NetnsHost) throws {
        for step in plan.steps {
            switch step {
            case .ipsetRestore(let text):
                try lab.check(["ipset", "restore"], in: host, stdin: text)
            case .iptablesRestore(let f, let text):
                try lab.check([KernelUniverse.restore(f), "--noflush"], in: host, stdin: text)
            case .ipsetDestroy(let names):
                for name in names { try lab.check(["ipset", "destroy", name], in: host) }
            }
        }
    }

    /// Observes the host, plans towards `desired`, applies; returns the plan.
    @discardableResult
    func converge(_ host: NetnsHost, to desired: HostDesiredState) throws -> HostPlan {
        let plan = Planner.plan(desired, observed: try read([host])[0].observed())
        try apply(plan, to: host)
        return plan
    }

    /// What each host's kernel holds, read from every host at once.
    func read(_ hosts: [NetnsHost]) throws -> [HostSnapshot] {
        let commands = [["ipset", "save"], ["iptables-save", "-t", "filter"], ["ip6tables-save", "-t", "filter"]]
        let out = try lab.checkAll(hosts.flatMap { h in commands.map { (h, $0, nil) } })
        return hosts.indices.map { i in
            HostSnapshot(ipset: out[3 * i].stdout, iptables: out[3 * i + 1].stdout, ip6tables: out[3 * i + 2].stdout)
        }
    }

    static func restore(_ f: AddressFamily) -> String { f == .inet ? "iptables-restore" : "ip6tables-restore" }

    // MARK: Probing

    /// The probe as real traffic: from the source's namespace, between the
    /// addresses `explain` uses (the first family both ends have, IPv4 first).
    func traffic(_ p: Probe) throws -> (from: NetnsHost, probe: NetnsProbe) {
        for f in AddressFamily.allCases {
            if let s = universe.address(of: p.from, family: f), let d = universe.address(of: p.to, family: f) {
                let proto = try #require(NetnsProbe.Proto(rawValue: p.proto.iptablesName))
                return (try host(p.from), NetnsProbe(source: s.description, destination: d.description, port: p.port, proto: proto))
            }
        }
        throw LabError("\(p): its ends share no address family")
    }

    /// Sends the probes, every source namespace at once, and returns the
    /// results in the probes' order.
    ///
    /// A probe that the spec wants allowed but that went unanswered within the
    /// short timeout is sent once more with a long one before it counts as
    /// denied: a loaded machine can be slow to answer, but a rule that drops
    /// stays a drop. The retry can only turn a slow "allowed" into "allowed";
    /// an unexpected "allowed" needs no confirmation.
    func probe(_ probes: [Probe]) throws -> [NetnsProbeResult] {
        var results = try send(probes, timeout: .milliseconds(500))
        let retry = probes.indices.filter { probes[$0].expect && results[$0].verdict == .denied }
        if !retry.isEmpty {
            let again = try send(retry.map { probes[$0] }, timeout: .seconds(3))
            for (i, r) in zip(retry, again) { results[i] = r }
        }
        return results
    }

    private func send(_ probes: [Probe], timeout: Duration) throws -> [NetnsProbeResult] {
        let traffic = try probes.map(traffic)
        var order: [NetnsHost] = []
        var batches: [NetnsHost: [(index: Int, probe: NetnsProbe)]] = [:]
        for (i, t) in traffic.enumerated() {
            if batches[t.from] == nil { order.append(t.from) }
            batches[t.from, default: []].append((i, t.probe))
        }
        let answers = try lab.probe(order.map { ($0, batches[$0, default: []].map(\.probe)) }, timeout: timeout)
        var results: [NetnsProbeResult?] = Array(repeating: nil, count: probes.count)
        for (host, batchResults) in zip(order, answers) {
            for (entry, result) in zip(batches[host, default: []], batchResults) { results[entry.index] = result }
        }
        return try results.map { try #require($0) }
    }

    /// What the ends of a probe hold, for a failure message.
    func dump(_ p: Probe) -> String {
        var out = ""
        for end in [p.from, p.to] {
            guard let h = try? host(end) else { continue }
            if h.name == KernelUniverse.outside { out += "== \(end): outside, no rules\n"; continue }
            let snapshot = (try? read([h]))?.first.map(\.description) ?? "(cannot read)\n"
            out += "== \(end) (\(h.netns))\n" + snapshot
        }
        return out
    }
}

extension ConformanceCase {
    /// The bare addresses the probes use; the outside namespace holds them all.
    var outsiders: Set<IPAddress> {
        Set(probes.flatMap { [$0.from, $0.to] }.filter { universe.member($0) == nil }.compactMap { IPAddress($0) })
    }
}

extension ConformanceUniverse {
    /// The universe's world with the policies, as legacy hosts.
    func hostsWorld(_ policies: [NetworkPolicy]) -> World {
        let (world, problems) = world(.hosts, policies: policies)
        #expect(problems.isEmpty, "the universe itself is faulty: \(problems)")
        return world
    }
}

extension World {
    /// The legacy host behind a universe member.
    func legacyHost(_ m: ConformanceUniverse.Member) throws -> LegacyHost {
        try #require(hosts.first { $0.name == m.hostName }, "no host \(m.hostName)")
    }
}
