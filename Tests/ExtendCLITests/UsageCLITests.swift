import Foundation
import Testing

/// Flags that `validate()` rejects: bad input, so exit 1 as spec/cli.md says
/// (not swift-argument-parser's EX_USAGE 64), the reason and the usage on
/// stderr, and nothing on stdout. No file is read and no host is touched.
@Suite struct UsageCLITests {
    /// spec/cli.md: 1 for bad input.
    static let usageExitCode: Int32 = 1

    struct Case: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
        init(_ arguments: [String], _ message: String) {
            self.arguments = arguments
            self.message = message
        }
    }

    static let connection = ["--from", "live/api-6d4f9", "--to", "live/billing-db-01"]

    static let cases: [Case] = [
        // explain
        Case(["explain"] + connection + ["--port", "0"], "Error: --port 0 is outside 1-65535"),
        Case(["explain"] + connection + ["--port", "65536"], "Error: --port 65536 is outside 1-65535"),
        Case(["explain"] + connection + ["--port", "5432", "--protocol", "ICMP"], "Error: --protocol ICMP: use TCP, UDP or SCTP"),
        Case(["explain"] + connection, "Error: explain needs --from, --to and --port (or --why PREFIX)"),
        Case(["explain", "--why", "npx:I:d4f67bc5", "--port", "5432"], "Error: --why takes no --from/--to/--port"),
        // every command: one source of cluster state, known output formats, host names
        Case(["render", "--kubeconfig", "/nonexistent/kubeconfig"],
             "Error: give cluster state from one source: --manifests, or --kubeconfig/--context, not both"),
        Case(["explain", "--context", "prod"] + connection + ["--port", "5432"],
             "Error: give cluster state from one source: --manifests, or --kubeconfig/--context, not both"),
        Case(["diff", "--kubeconfig", "/nonexistent/kubeconfig"],
             "Error: give cluster state from one source: --manifests, or --kubeconfig/--context, not both"),
        Case(["render", "--output", "yaml"], "Error: The value 'yaml' is invalid for '--output <output>'"),
        Case(["render", "--host", "Billing_DB"], "Error: --host Billing_DB: host names are DNS-1123 labels"),
        // diff and apply
        Case(["apply", "--detailed-exitcode"], "Error: --detailed-exitcode goes with --dry-run (or use extend diff)"),
        Case(["apply", "--concurrency", "0"], "Error: --concurrency must be between 1 and 512"),
        Case(["apply", "--dry-run", "--concurrency", "513"], "Error: --concurrency must be between 1 and 512"),
        Case(["diff", "--concurrency", "0"], "Error: --concurrency must be between 1 and 512"),
        Case(["apply", "--rollback-after", "4"], "Error: --rollback-after must be 5 to 3600 seconds"),
        Case(["diff", "--dry-run"], "Error: Unknown option '--dry-run'"),
        Case(["apply", "--forget", "Old_DB"], "Error: --forget Old_DB: host names are DNS-1123 labels"),
        Case(["diff", "--forget", "old-db", "--forget", "-"], "Error: --forget -: host names are DNS-1123 labels"),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        // The example's own flags first, so each case adds only the one that is wrong.
        let r = try CLI.run(Array(c.arguments.prefix(1)) + CLI.example + c.arguments.dropFirst())
        #expect(r.exited(Self.usageExitCode), "\(r)")
        #expect(r.stderrText.contains(c.message), "\(r)")
        #expect(r.stderrText.contains("Usage: extend \(c.arguments[0])"), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }

    /// `--detailed-exitcode` with `--dry-run` is accepted: the run gets past
    /// validation to the hosts (here: an unknown one, exit 1 before any SSH).
    @Test func detailedExitcodeWithDryRunIsAccepted() throws {
        let r = try CLI.run(["apply", "--dry-run", "--detailed-exitcode", "--host", "nowhere-01"] + CLI.example)
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("extend: --host nowhere-01: no such host"), "\(r)")
        #expect(r.stdout.isEmpty)
    }
}
