import ArgumentParser
import Foundation

@main
struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Carries Kubernetes NetworkPolicy to hosts outside the cluster, as ipset/iptables rules pushed over SSH.",
        version: "0.1.0",
        subcommands: [RenderCommand.self, ExplainCommand.self, DiffCommand.self, ApplyCommand.self, ChangesCommand.self, ControllerCommand.self,
                      MatrixCommand.self, LintCommand.self, DoctorCommand.self, HostBootstrapCommand.self, AuditCommand.self])

    static func main() async {
        // A peer closing a socket (an ssh-agent, a host) must surface as an
        // error on that host, not kill the whole run.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if !(command is ControllerCommand) { MemoryTuning.forOneShotRun() }
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            // spec/cli.md: bad input, flags included, exits 1 (not EX_USAGE's 64).
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
