import ArgumentParser
import ExtendCore
import ExtendSSH

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read each host's packet counters over SSH: what the policies denied (dropped, or let through in audit mode) and what each policy rule admitted. Changes no rule.",
        discussion: """
        Per host (concurrently, as diff reaches them): per isolated direction, the packets that reached the final \
        rule, counted against the policies that isolate the host there (in enforce mode they were dropped; in audit \
        mode they were let through); per policy rule (its index in the policy's ingress or egress list), the packets \
        it admitted, and the rules that admitted nothing (candidates for tightening). The counters are those the \
        host holds: they start when a policy's chain is loaded (an apply that changes a policy starts its counters \
        again) and survive applies that change nothing.

        --reset zeroes the counters of our chains (NPX-..., never any other) as they are read: per host under the \
        host's lock, chain by chain, each chain listed and zeroed by one iptables command. A packet counted in a \
        chain after that chain was zeroed belongs to the next reading; none is counted twice, and none is lost \
        except on iptables' nf_tables backend, where a packet counted in the instant between a chain's listing and \
        its zeroing is lost (legacy iptables zeroes exactly what it listed).

        A host that cannot be read is reported with its error and makes the exit code 1; the others are still reported.
        """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var hostOptions: HostOptions
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Zero the counters of our chains after reading them (only ours: iptables -Z per NPX- chain).")
    var reset = false

    func run() async throws {
        let run = try await FleetRun.load(inventory, cluster, state, hostOptions, try ForgetOptions.parse([]), fleet, common)
        // Hosts that have left the inventory are not audited: nothing says how they should be enforced.
        let agents = Array(run.agents(rollbackAfter: 30).prefix(run.hosts.count))
        let reset = self.reset
        let live = run.console.stderrIsTerminal && common.output == .text
        if live { run.console.progress("reading the counters of \(agents.count) host(s)") }
        let readings = await Fleet.each(agents, concurrency: fleet.concurrency, work: { $0.readCounters(reset: reset) },
                                        failed: { HostAgent.workerFailed($0) })
        if live { run.console.progress(nil) }
        let world = run.input.world
        let report = AuditReport(hosts: zip(run.hosts, readings).map { AuditReport.Host($0, $1) },
                                 explain: ExplainHint(inventory: inventory.inventory, cluster: cluster)) { address in
            guard let ip = IPAddress(address), let owner = world.owner(of: ip) else { return address }
            if owner.hasPrefix("pod ") { return String(owner.dropFirst(4)) }
            if let h = world.hosts.first(where: { "host " + $0.name == owner }) { return h.namespace + "/" + h.name }
            return address
        }
        switch common.output {
        case .json: try run.console.json(report.document)
        case .text: run.console.out(report.text)
        }
        if report.hosts.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}

/// `extend explain` as the operator would type it for this run's input.
struct ExplainHint {
    var inventory: String
    var cluster: ClusterOptions

    var prefix: String {
        var words = ["extend", "explain", "--inventory", inventory]
        for m in cluster.manifests { words += ["--manifests", m] }
        if let k = cluster.kubeconfig { words += ["--kubeconfig", k] }
        if let c = cluster.context { words += ["--context", c] }
        return words.map(Self.quoted).joined(separator: " ")
    }

    static func quoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./:=@,+".unicodeScalars.contains($0)
        }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
