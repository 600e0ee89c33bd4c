import ArgumentParser
import ExtendCore
import ExtendSSH
import Logging

/// `extend doctor`: does a legacy host see a pod at the pod's own address?
/// Companion policies and the host's rules both depend on it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Does HOST see the pod at the pod's own address (no SNAT in between)? Listens on the host over SSH; changes nothing.",
        discussion: """
            For --seconds, the host captures (tcpdump, as root or with ssh.sudo) the packets that arrive \
            at its addresses; open connections from the pod to the host meanwhile (e.g. kubectl exec into it). \
            Exit 0 when the host saw the pod's own address; 1 when it saw a translated one, nothing, or failed. \
            See docs/both-directions.md for what to change, per CNI.
            """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("The legacy host that listens (an inventory host name).", valueName: "name"))
    var host: String
    @Option(name: .long, help: ArgumentHelp("The pod whose traffic to look for.", valueName: "namespace/pod"))
    var from: String
    @Option(name: .long, help: "Only packets to this port of the host.")
    var port: Int?
    @Option(name: .long, help: "How long the host listens (1-300).")
    var seconds: Int = 10

    func validate() throws {
        guard (1...300).contains(seconds) else { throw ValidationError("--seconds \(seconds) is outside 1-300") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port \(port) is outside 1-65535") }
    }

    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        guard let legacy = input.world.hosts.first(where: { $0.name == host }) else {
            console.error("--host \(host): no such host in \(input.inventory.source)")
            throw ExitCode(1)
        }
        guard let pod = input.world.workload(ref: from), pod.kind == .pod else {
            let what = input.world.workload(ref: from) == nil ? "no such pod in the cluster" : "a legacy host, not a pod"
            console.error("--from \(from): \(what); give NAMESPACE/POD of a running pod")
            throw ExitCode(1)
        }
        var logger = Logger(label: "netpol-extend")
        logger.logLevel = common.verbose ? .debug : .warning
        let agent = HostAgent.make(name: legacy.name, ssh: legacy.ssh, connect: legacy.connectAddress, management: [],
                                   persist: false, rollbackAfter: 30, logger: logger) { _ in .nothing(host: legacy.name) }
        if common.output == .text {
            console.note("listening on \(legacy.name) for \(seconds) s: open connections from \(pod.ref) "
                         + "(\(pod.addresses.map(\.description).joined(separator: ", "))) to "
                         + "\(legacy.workload.addresses.map(\.description).joined(separator: ", "))\(port.map { " port \($0)" } ?? "") now")
        }
        let observed: [ObservedSource]
        do {
            let (seconds, port, addresses) = (seconds, port, legacy.workload.addresses)
            observed = try await SSHTransport.offload(name: "doctor \(legacy.name)") {
                try agent.capture(seconds: seconds, port: port, addresses: addresses)
            }
        } catch let error as SSHError {
            console.error(error.message)
            throw ExitCode(1)
        }
        let diagnosis = SourceDiagnosis.diagnose(pod: pod, host: legacy.name, observed: observed, world: input.world)
        switch common.output {
        case .json:
            try console.json(DoctorReport(diagnosis))
        case .text:
            console.report(input.warnings)
            console.out(diagnosis.text)
        }
        if diagnosis.verdict != .direct { throw ExitCode(1) }
    }
}

/// `doctor --output json`.
struct DoctorReport: Encodable {
    struct Seen: Encodable {
        var address: String
        var packets: Int
        var ports: [Int]
        var owner: String?
        var isThePod: Bool
    }

    var host: String
    var pod: String
    var podAddresses: [String]
    var verdict: String
    var summary: String
    var seen: [Seen]

    init(_ d: SourceDiagnosis) {
        host = d.host
        pod = d.pod
        podAddresses = d.podAddresses.map(\.description)
        verdict = d.verdict.rawValue
        summary = d.summary
        seen = d.seen.map { Seen(address: $0.source.address.description, packets: $0.source.packets, ports: $0.source.ports,
                                 owner: $0.owner, isThePod: $0.isThePod) }
    }
}

extension SourceDiagnosis {
    /// The text report: the verdict's sentence, then every source seen.
    var text: String {
        var lines = [summary]
        if !seen.isEmpty { lines.append("seen at \(host):") }
        for s in seen {
            let who = s.isThePod ? "this pod" : s.owner ?? "no pod or host has this address"
            let ports = s.source.ports.isEmpty ? "" : ", to port(s) \(s.source.ports.map(String.init).joined(separator: ","))"
            lines.append("  \(s.source.address): \(s.source.packets) packet(s)\(ports) (\(who))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
