import ArgumentParser
import Foundation

@main
struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Carries Kubernetes NetworkPolicy to hosts outside the cluster, as ipset/iptables rules pushed over SSH.",
        version: "0.1.0",
        subcommands: [RenderCommand.self, ExplainCommand.self, DiffCommand.self, ApplyCommand.self])

    static func main() async {
        // A peer closing a socket (an ssh-agent, a host) must surface as an
        // error on that host, not kill the whole run.
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
