import ExtendCore

extension HostAgent {
    /// What `extend audit` read from one host: its counters, or why there are none.
    public struct CountersReading: Sendable {
        public var host: String
        public var counters: Result<AuditCounters, SSHError>
        /// Whether the counters were zeroed after they were read (`--reset`, and the read succeeded).
        public var reset: Bool
    }

    /// Reads the packet counters of this host's rules of ours (one SSH
    /// command: `counters`, or `counters-reset` to zero them as they are
    /// read), the policies named in full (`desired.policyLabels`). Changes
    /// no rule. Blocking: run it on a thread of its own (`Fleet.each`).
    public func readCounters(reset: Bool) -> CountersReading {
        do {
            let conn = try connectFirst()
            defer { conn.close() }
            let r = try conn.run(command(reset ? .countersReset : .counters))
            guard r.succeeded else { throw remote(reset ? "reading and zeroing the counters" : "reading the counters", r) }
            let counters = try Self.parseCounters(r.stdoutText, host: endpoint.label)
            return CountersReading(host: host, counters: .success(counters.resolving(desired.policyLabels)), reset: reset)
        } catch {
            return CountersReading(host: host, counters: .failure(error), reset: false)
        }
    }

    /// The `#npx iptables` / `#npx ip6tables` sections up to `#npx end`, each
    /// in `iptables-save -c` form.
    static func parseCounters(_ output: String, host: String) throws(SSHError) -> AuditCounters {
        var sections: [AddressFamily: [Substring]] = [:]
        var current: AddressFamily?
        var ended = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            switch line {
            case "#npx iptables": current = .inet; sections[.inet] = []
            case "#npx ip6tables": current = .inet6; sections[.inet6] = []
            case "#npx end": ended = true
            default: if let c = current { sections[c, default: []].append(line) }
            }
            if ended { break }
        }
        guard ended else {
            throw SSHError(.remote, host: host, "\(host): cannot read the counters: the host's output ended early (\(output.utf8.count) bytes)")
        }
        do {
            return try AuditCounters.parse(sections.mapValues { $0.joined(separator: "\n") })
        } catch {
            throw SSHError(.remote, host: host, "\(host): cannot read the counters: \(error.description)")
        }
    }
}
