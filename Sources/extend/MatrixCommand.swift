import ArgumentParser
import ExtendCore

/// `extend matrix`: who can reach whom, among every pod and legacy host.
struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Who can reach whom, among every pod and legacy host, per protocol and port. Touches no host.",
        discussion: """
            Endpoints that every policy treats alike are grouped into classes; each line is a group of sources \
            that reach the same destinations on the same ports. A connection is judged as `extend explain` judges it \
            (the first address family both ends have; a legacy host's lockout guard included). An endpoint's \
            connections to itself are not listed. REF is NAMESPACE/NAME of a pod or host.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv, dot
    }

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "text for people, json (the contract of spec/cli.md), csv for spreadsheets, dot for a picture (Graphviz).")
    var output: Format = .text
    @Option(name: .long, help: ArgumentHelp("Only what this endpoint can reach.", valueName: "ref"))
    var from: String?
    @Option(name: .long, help: ArgumentHelp("Only who can reach this endpoint.", valueName: "ref"))
    var to: String?
    @Flag(name: .long, help: "Say more: skipped manifest kinds, timings.")
    var verbose = false
    @Flag(name: .long, help: "List every warning.")
    var allWarnings = false

    func run() async throws {
        let common = try CommonOptions.parse((verbose ? ["--verbose"] : []) + (allWarnings ? ["--all-warnings"] : [])
                                             + (output == .json ? ["--output", "json"] : []))
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let matrix = ConnectivityMatrix(world: input.world)
        let classes = matrix.classes
        func only(_ ref: String?, _ flag: String) throws -> (id: Int, ref: String)? {
            guard let ref else { return nil }
            guard let c = classes.classOf(ref) else {
                console.error("--\(flag) \(ref): no pod or host \(ref) (pods without an IP, on the host network or finished are not selectable)")
                throw ExitCode(1)
            }
            return (c.id, ref)
        }
        let from = try only(from, "from"), to = try only(to, "to")
        let groups = MatrixGroups(matrix, from: from.map { [$0.id] }, to: to.map { [$0.id] })
        // A narrowed side names the endpoint asked about, not its class.
        var names = MatrixNames(classes)
        if let from { names.rename(from.id, from.ref) }
        if let to { names.rename(to.id, to.ref) }
        console.report(input.warnings)
        switch output {
        case .json: console.out(MatrixJSON.text(groups, classes, names: names))
        case .text: console.out(Self.text(groups, names))
        case .csv: console.out(Self.csv(groups, names))
        case .dot: console.out(Self.dot(groups, names))
        }
    }

    static func text(_ groups: MatrixGroups, _ names: MatrixNames) -> String {
        guard !groups.groups.isEmpty else { return "no connection is allowed\n" }
        return groups.groups.map { g in
            "\(g.from.map(names.label).joined(separator: ", ")) -> \(g.to.map(names.label).joined(separator: ", "))  "
                + MatrixGroups.PortRange.text(g.ports)
        }.joined(separator: "\n") + "\n"
    }

    static func csv(_ groups: MatrixGroups, _ names: MatrixNames) -> String {
        var lines = ["from,to,protocol,port,end_port"]
        for g in groups.groups {
            for f in g.from {
                for t in g.to {
                    for p in g.ports {
                        let lo = p.range.map { String($0.lowerBound) } ?? ""
                        let hi = p.range.map { $0.count > 1 ? String($0.upperBound) : "" } ?? ""
                        lines.append([names.label(f), names.label(t), p.proto.rawValue, lo, hi].map(csvField).joined(separator: ","))
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func dot(_ groups: MatrixGroups, _ names: MatrixNames) -> String {
        var lines = ["digraph matrix {", "  rankdir=LR;", "  node [shape=box];"]
        for c in Set(groups.groups.flatMap { $0.from + $0.to }).sorted() {
            lines.append("  c\(c) [label=\(dotString(names.label(c)))];")
        }
        for g in groups.groups {
            let ports = dotString(MatrixGroups.PortRange.text(g.ports))
            for f in g.from { for t in g.to { lines.append("  c\(f) -> c\(t) [label=\(ports)];") } }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func dotString(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// What each class is called in the output: its label, made unique (two
/// classes of one namespace may share their common labels).
struct MatrixNames {
    private var labels: [Int: String] = [:]

    init(_ classes: EndpointClasses) {
        var count: [String: Int] = [:]
        for c in classes.classes { count[c.label, default: 0] += 1 }
        for c in classes.classes { labels[c.id] = count[c.label, default: 0] > 1 ? "\(c.label) [c\(c.id)]" : c.label }
    }

    mutating func rename(_ id: Int, _ name: String) { labels[id] = name }
    func label(_ id: Int) -> String { labels[id] ?? "c\(id)" }
}

/// `matrix --output json`: classes named once (`c<N>`), a class of one
/// endpoint by the endpoint's own name; groups of sources, destinations and ports.
enum MatrixJSON {
    static func text(_ groups: MatrixGroups, _ classes: EndpointClasses, names: MatrixNames) -> String {
        func ref(_ id: Int) -> String {
            let c = classes.classes[id]
            if c.members.count == 1 { return c.members[0].ref }
            // A side that --from or --to narrowed names that endpoint.
            let name = names.label(id)
            return c.members.contains { $0.ref == name } ? name : "c\(id)"
        }
        let used = Set(groups.groups.flatMap { $0.from + $0.to }).sorted().filter { ref($0) == "c\($0)" }
        let classList = used.map { id in
            JSONText.object([("id", JSONText.quote("c\(id)")), ("members", JSONText.array(classes.classes[id].members.map(\.ref)))])
        }
        let allowed = groups.groups.map { g in
            let ports = g.ports.map(port)
            return JSONText.object([("from", JSONText.array(g.from.map(ref))), ("to", JSONText.array(g.to.map(ref))),
                                    ("ports", "[" + ports.joined(separator: ",") + "]")])
        }
        return "{\"classes\": [" + classList.joined(separator: ",\n") + "],\n\"allowed\": [" + allowed.joined(separator: ",\n") + "]}\n"
    }

    /// `{"protocol": "TCP", "port": 8000, "endPort": 8080}`; no port: every port of the protocol.
    static func port(_ p: MatrixGroups.PortRange) -> String {
        var fields = [("protocol", JSONText.quote(p.proto.rawValue))]
        if let r = p.range {
            fields.append(("port", String(r.lowerBound)))
            if r.count > 1 { fields.append(("endPort", String(r.upperBound))) }
        }
        return JSONText.object(fields)
    }
}
