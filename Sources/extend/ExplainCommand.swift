import ArgumentParser
import ExtendCore

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Is this connection allowed, and by which policies (or which isolation denies it)? Touches no host.",
        discussion: "REF is NAMESPACE/NAME of a pod or host, or a bare IP address outside both. --why decodes a drop-log prefix.")

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Source: NAMESPACE/NAME or an IP address.", valueName: "ref"))
    var from: String?
    @Option(name: .long, help: ArgumentHelp("Destination: NAMESPACE/NAME or an IP address.", valueName: "ref"))
    var to: String?
    @Option(name: .long, help: "Destination port.")
    var port: Int?
    @Option(name: .customLong("protocol"), help: "TCP, UDP or SCTP.")
    var proto: String = "TCP"
    @Option(name: .long, help: ArgumentHelp("Decode a drop-log prefix (as found in the kernel log) instead.", valueName: "prefix"))
    var why: String?

    func validate() throws {
        if why != nil {
            if from != nil || to != nil || port != nil { throw ValidationError("--why takes no --from/--to/--port") }
            return
        }
        guard from != nil, to != nil, let port else { throw ValidationError("explain needs --from, --to and --port (or --why PREFIX)") }
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port) is outside 1-65535") }
        guard Proto(rawValue: proto.uppercased()) != nil else { throw ValidationError("--protocol \(proto): use TCP, UDP or SCTP") }
    }

    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        if let why { return try decode(why, input, console) }
        guard let from, let to, let port, let p = Proto(rawValue: proto.uppercased()) else { throw ExitCode(1) }
        let explanation: Explanation
        do {
            explanation = try Explainer(world: input.world).explain(from: from, to: to, port: port, proto: p)
        } catch {
            console.error(error.description)
            throw ExitCode(1)
        }
        switch common.output {
        case .json:
            try console.json(ExplainReport(explanation: explanation, warnings: input.warnings.map(\.description)))
        case .text:
            console.report(input.warnings)
            console.out(explanation.text)
        }
    }

    private func decode(_ prefix: String, _ input: LoadedInput, _ console: Console) throws {
        let wanted = prefix.trimmingSpaces
        let compiler = Compiler(world: input.world)
        let tags = input.world.hosts.flatMap { h in compiler.compile(h).dropLogs }
        guard let tag = tags.first(where: { $0.prefix.trimmingSpaces == wanted }) else {
            console.error("no host of this inventory logs drops with prefix \"\(wanted)\" (logDrops must be on for the host, and the policies unchanged since the rules were applied)")
            throw ExitCode(1)
        }
        switch common.output {
        case .json: try console.json(tag)
        case .text:
            console.out("\(wanted): \(tag.direction.rawValue.lowercased()) drop on host \(tag.host), isolated by \(tag.policies.joined(separator: ", ")); no rule of them admitted the packet\n")
        }
    }
}

struct ExplainReport: Encodable {
    var explanation: Explanation
    var warnings: [String]

    func encode(to encoder: any Encoder) throws {
        try explanation.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(warnings, forKey: .warnings)
    }
    enum Key: String, CodingKey { case warnings }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
