import ArgumentParser
import ExtendCore

/// `extend lint`: likely mistakes in the policies and the inventory, summarised. Touches no host.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Likely mistakes in the policies, grouped by kind with counts. Touches no host; with --strict, exit 1 on any finding.",
        discussion: """
            Policies that select nothing, peers that match nothing, named ports that resolve nowhere, rules made \
            redundant by an allow-all rule, ipBlock excepts outside their cidr, ipBlocks that cover pod or host \
            addresses (implementation-defined in Kubernetes), namespace selectors needing labels no namespace carries.
            """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Exit 1 when there is any finding (for CI pipelines that gate policy changes).")
    var strict = false

    func run() async throws {
        let console = Console(common: common)
        let input = try await LoadedInput.load(inventory: inventory.inventory, cluster: cluster, common: common, console: console)
        let findings = (input.warnings + AnalysisLint(world: input.world).findings()).sorted()
        var counts: [String: Int] = [:]
        for f in findings { counts[f.code ?? "other", default: 0] += 1 }
        switch common.output {
        case .json:
            let items = findings.map { f in
                JSONText.object([("code", JSONText.quote(f.code ?? "other")), ("location", f.location.map(JSONText.quote) ?? "null"),
                                 ("message", JSONText.quote(f.message))])
            }
            let byKind = counts.keys.sorted().map { ($0, String(counts[$0]!)) }
            console.out("{\"counts\": " + JSONText.object(byKind) + ",\n\"findings\": [" + items.joined(separator: ",\n") + "]}\n")
        case .text:
            if findings.isEmpty {
                console.out("no findings\n")
            } else {
                let summary = counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
                console.out(Diagnostic.reportLines(findings, limit: console.warningLimit).joined(separator: "\n")
                            + "\n\(findings.count) finding(s): \(summary)\n")
            }
        }
        if strict && !findings.isEmpty { throw ExitCode(1) }
    }
}
