import ExtendCore
import ExtendSSH

/// What `extend audit` prints: per host its counters (or why it could not be
/// read), then the one line the operator acts on.
struct AuditReport {
    struct Host {
        var name: String
        /// namespace/name, as explain takes a host.
        var ref: String
        var mode: SSHMode
        /// What the inventory asks for.
        var configured: Enforcement
        var counters: AuditCounters?
        var error: String?
        var reset: Bool
        var logDrops: Bool
        /// Where the kernel log was read from; nil: it could not be.
        var dropLogSource: String?
        var flows: [DeniedFlow]

        init(_ host: LegacyHost, _ reading: HostAgent.CountersReading) {
            logDrops = host.logDrops
            dropLogSource = reading.dropLogSource
            flows = reading.flows
            name = host.name
            ref = host.namespace + "/" + host.name
            mode = host.ssh.mode
            configured = host.enforcement
            reset = reading.reset
            switch reading.counters {
            case .success(let c): counters = c
            case .failure(let e): error = e.message
            }
        }

        /// What the host's final rules do (what the inventory asks when it holds none of ours).
        var enforcement: Enforcement? { counters.map { $0.enforcement ?? configured } }
    }

    var hosts: [Host]
    var explain: ExplainHint
    /// How explain names an address: NAMESPACE/NAME of its pod or host, else the address.
    var ref: (String) -> String = { $0 }

    // MARK: JSON (spec/cli.md, "Audit output")

    struct Document: Encodable {
        struct Host: Encodable {
            var name: String
            var enforcement: String?
            var denied: [Denied]?
            var allowed: [Allowed]?
            var error: String?
        }
        struct Denied: Encodable {
            var direction: String
            var policies: [String]
            var packets: UInt64
        }
        struct Allowed: Encodable {
            var direction: String
            var policy: String
            var rule: Int
            var packets: UInt64
        }
        var hosts: [Host]
    }

    var document: Document {
        Document(hosts: hosts.map { h in
            guard let c = h.counters else { return .init(name: h.name, error: h.error) }
            return .init(name: h.name, enforcement: h.enforcement?.rawValue,
                         denied: c.denied.map { .init(direction: $0.direction.word, policies: $0.policies, packets: $0.packets) },
                         allowed: c.allowed.map { .init(direction: $0.direction.word, policy: $0.policy, rule: $0.rule, packets: $0.packets) })
        })
    }

    // MARK: Text

    var text: String {
        var out = ""
        for h in hosts { out += Self.section(h) + "\n" }
        return out + summary + "\n"
    }

    static func section(_ h: Host) -> String {
        guard let c = h.counters, let mode = h.enforcement else {
            return "\(h.name) (ssh.mode \(h.mode.rawValue)): cannot be read: \(h.error ?? "unknown error")\n"
        }
        let verb = mode == .audit ? "would have dropped" : "dropped"
        var out = "\(h.name) (ssh.mode \(h.mode.rawValue), enforcement \(mode.rawValue)"
        if c.enforcement != nil && mode != h.configured { out += "; the inventory says \(h.configured.rawValue): apply pending" }
        out += ")"
        if c.isEmpty {
            return out + ": holds no rules of ours (no policy isolates it, or it has not been applied yet)\n"
        }
        out += ": \(verb) \(grouped(c.deniedPackets)) packet\(c.deniedPackets == 1 ? "" : "s")"
            + (h.reset ? "; counters zeroed after reading" : "") + "\n"
        let denied = c.denied.sorted { ($1.packets, $0.direction) < ($0.packets, $1.direction) }
        if !denied.isEmpty {
            out += "  denied (\(mode == .audit ? "let through, audit" : "dropped")):\n"
            let width = denied.map { grouped($0.packets).count }.max() ?? 1
            for d in denied {
                out += "    " + d.direction.word.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + pad(grouped(d.packets), width) + (d.packets == 1 ? " packet    isolated by " : " packets   isolated by ") + d.policies.joined(separator: ", ") + "\n"
            }
        }
        let admitting = c.allowed.filter { $0.packets > 0 }.sorted { ($1.packets, $0.direction, $0.policy, $0.rule) < ($0.packets, $1.direction, $1.policy, $1.rule) }
        if !admitting.isEmpty {
            out += "  admitted:\n"
            let names = admitting.map(ruleName), width = names.map(\.count).max() ?? 0
            let numbers = admitting.map { grouped($0.packets) }, nWidth = numbers.map(\.count).max() ?? 1
            for (i, name) in names.enumerated() {
                out += "    " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad(numbers[i], nWidth) + (admitting[i].packets == 1 ? " packet\n" : " packets\n")
            }
        }
        let idle = c.allowed.filter { $0.packets == 0 }
        if !idle.isEmpty {
            out += "  admitted nothing (candidates for tightening):\n"
            for a in idle { out += "    " + ruleName(a) + "\n" }
        }
        if h.logDrops {
            if let source = h.dropLogSource {
                if h.flows.isEmpty {
                    out += "  last denied flows (kernel log, \(source)): none logged\n"
                } else {
                    out += "  last denied flows (kernel log, \(source); at most 6 a minute are logged):\n"
                    for f in h.flows { out += "    " + flowText(f) + "\n" }
                }
            } else {
                out += "  last denied flows: the host's kernel log cannot be read (neither dmesg nor journalctl -k; see docs/rollout.md)\n"
            }
        }
        return out
    }

    static func flowText(_ f: DeniedFlow) -> String {
        "\(f.direction.word) \(f.source) -> \(f.destination) \(f.proto)" + (f.port.map { " port \($0)" } ?? "")
            + " (isolated by \(f.policies.joined(separator: ", ")))"
    }

    static func ruleName(_ a: AuditCounters.Allowed) -> String { "\(a.policy) \(a.direction.word) rule \(a.rule)" }

    /// The line the operator acts on.
    var summary: String {
        var parts: [String] = []
        let read = hosts.filter { $0.counters != nil }
        let audit = read.filter { $0.enforcement == .audit && !($0.counters?.isEmpty ?? true) }
        let enforce = read.filter { $0.enforcement == .enforce && !($0.counters?.isEmpty ?? true) }
        func packets(_ hs: [Host]) -> UInt64 { hs.reduce(0) { $0 + ($1.counters?.deniedPackets ?? 0) } }
        if !audit.isEmpty {
            parts.append("\(Self.count(audit.count, "host")) in audit mode would have dropped \(Self.count(packets(audit), "packet"))")
        }
        if !enforce.isEmpty {
            parts.append("\(Self.count(enforce.count, "host")) in enforce mode dropped \(Self.count(packets(enforce), "packet"))")
        }
        let failed = hosts.filter { $0.error != nil }
        if !failed.isEmpty {
            parts.append("\(Self.count(failed.count, "host")) could not be read (\(failed.map(\.name).joined(separator: ", ")))")
        }
        if parts.isEmpty { parts.append("no host holds rules of ours to count (\(Self.count(hosts.count, "host")) read)") }
        var line = parts.joined(separator: "; ")
        // The direction that denied the most, on any host: the first thing to explain.
        let top = read.flatMap { h in (h.counters?.denied ?? []).map { (h, $0) } }.filter { $0.1.packets > 0 }
            .min { ($1.1.packets, $0.0.name, $0.1.direction) < ($0.1.packets, $1.0.name, $1.1.direction) }
        if let top {
            let (h, d) = top
            line += "; run `extend explain` on \(h.name) \(d.direction.word) first (\(Self.count(d.packets, "packet")), isolated by "
                + d.policies.joined(separator: ", ") + "): \(explain.prefix) "
            if let f = h.flows.last(where: { $0.direction == d.direction }), let port = f.port,
               ["TCP", "UDP", "SCTP"].contains(f.proto) {
                // The last flow the kernel logged there, as a connection to explain.
                line += "--from \(ref(f.source)) --to \(ref(f.destination)) --port \(port) --protocol \(f.proto)"
            } else {
                let (from, to) = d.direction == .ingress ? ("SOURCE", h.ref) : (h.ref, "DESTINATION")
                line += "--from \(from) --to \(to) --port PORT"
            }
        } else if !audit.isEmpty || !enforce.isEmpty {
            line += "; no packet was denied"
                + (audit.isEmpty ? "" : ": the policies admit all the traffic the audited hosts saw (enforce them host by host, docs/rollout.md)")
        }
        return line
    }

    static func count(_ n: some BinaryInteger, _ noun: String) -> String {
        "\(grouped(UInt64(n))) \(noun)\(n == 1 ? "" : "s")"
    }
}

/// 1,204.
func grouped(_ n: UInt64) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(d)
    }
    return out
}

private func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
