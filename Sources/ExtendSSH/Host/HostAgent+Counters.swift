import ExtendCore

extension HostAgent {
    /// What `extend audit` read from one host: its counters, or why there are none.
    public struct CountersReading: Sendable {
        public var host: String
        public var counters: Result<AuditCounters, SSHError>
        /// Whether the counters were zeroed after they were read (`--reset`, and the read succeeded).
        public var reset: Bool
        /// Where the host's kernel log was read from (`dmesg`, `journalctl`), or nil when it could not be.
        public var dropLogSource: String?
        /// The last denied flows the kernel logged for this host (logDrops), oldest first.
        public var flows: [DeniedFlow]

        public init(host: String, counters: Result<AuditCounters, SSHError>, reset: Bool, dropLogSource: String? = nil,
                    flows: [DeniedFlow] = []) {
            self.host = host
            self.counters = counters
            self.reset = reset
            self.dropLogSource = dropLogSource
            self.flows = flows
        }
    }

    /// Stands in for a reading whose worker thread could not run.
    public static func workerFailed(_ agent: HostAgent) -> CountersReading {
        CountersReading(host: agent.endpoint.name, counters: .failure(SSHError(.remote, host: agent.endpoint.label,
            "\(agent.endpoint.label): the worker thread failed")), reset: false)
    }

    /// How many of the last denied flows a reading keeps per host.
    public static let flowsKept = 5

    /// Reads the packet counters of this host's rules of ours (one SSH
    /// command: `counters`, or `counters-reset` to zero them as they are
    /// read), the policies named in full (`desired.policyLabels`). Changes
    /// no rule. Blocking: run it on a thread of its own (`Fleet.each`).
    ///
    /// - Parameter open: a connection to use (the controller's kept one),
    ///   left open; without it the reading connects and disconnects.
    /// - Parameter dropLog: read the kernel log's last denied flows too
    ///   (`extend audit`); without, the host does not read its kernel log
    ///   at all (the controller, which uses the counters alone).
    public func readCounters(reset: Bool, over open: SSHConnection? = nil, dropLog: Bool = true) -> CountersReading {
        do throws(SSHError) {
            let conn: SSHConnection
            if let open { conn = open } else { conn = try connectFirst() }
            defer { if open == nil { conn.close() } }
            let r = try conn.run(command(reset ? .countersReset : .counters),
                                 stdin: dropLog ? [] : Array("\(HostScripts.noDropLog)\n".utf8))
            guard r.succeeded else { throw remote(reset ? "reading and zeroing the counters" : "reading the counters", r) }
            let (counters, log) = try Self.parseCounters(r.stdoutText, host: endpoint.label)
            let source = log.first.flatMap { $0.hasPrefix("via ") && $0 != "via none" ? String($0.dropFirst(4)) : nil }
            let flows = DeniedFlow.parse(log.dropFirst().joined(separator: "\n"), tags: desired.dropLogs, limit: Self.flowsKept)
            return CountersReading(host: host, counters: .success(counters.resolving(desired.policyLabels)), reset: reset,
                                   dropLogSource: source, flows: flows)
        } catch {
            return CountersReading(host: host, counters: .failure(error), reset: false)
        }
    }

    /// The `#npx iptables` / `#npx ip6tables` sections up to `#npx end`, each
    /// in `iptables-save -c` form, and the `#npx droplog` section's lines (its
    /// first says where they came from).
    static func parseCounters(_ output: String, host: String) throws(SSHError) -> (AuditCounters, [Substring]) {
        var sections: [AddressFamily: [Substring]] = [:]
        var log: [Substring] = []
        var current: AddressFamily?
        var inLog = false
        var ended = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            switch line {
            case "#npx iptables": current = .inet; sections[.inet] = []; inLog = false
            case "#npx ip6tables": current = .inet6; sections[.inet6] = []; inLog = false
            case "#npx droplog": current = nil; inLog = true
            case "#npx end": ended = true
            default:
                if let c = current { sections[c, default: []].append(line) } else if inLog && !line.isEmpty { log.append(line) }
            }
            if ended { break }
        }
        guard ended else {
            throw SSHError(.remote, host: host, "\(host): cannot read the counters: the host's output ended early (\(output.utf8.count) bytes)")
        }
        do {
            return (try AuditCounters.parse(sections.mapValues { $0.joined(separator: "\n") }), log)
        } catch {
            throw SSHError(.remote, host: host, "\(host): cannot read the counters: \(error.description)")
        }
    }
}
