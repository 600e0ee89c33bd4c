import ArgumentParser

@main
struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Carries Kubernetes NetworkPolicy to hosts outside the cluster, as ipset/iptables rules pushed over SSH.",
        version: "0.1.0",
        subcommands: [RenderCommand.self, ExplainCommand.self, DiffCommand.self, ApplyCommand.self])
}
