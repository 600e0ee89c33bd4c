import ArgumentParser
import BenchSupport
import Foundation
import LabSupport

/// The controller benchmark of issue 11: the real `extend controller`
/// (release build) measured from outside, as a user runs it.
///
///     swift build -c release --product extend && swift build -c release --product extend-controller-bench
///     .build/release/extend-controller-bench        # as root (the latency row builds a lab)
///
/// A benchmark, not a timed test: it prints a markdown table for
/// docs/performance.md and fails only when a run fails.
@main
struct ControllerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend-controller-bench",
        abstract: "Times extend controller: API change → rules on lab hosts, and the initial sync of the scale input.")

    enum Row: String, CaseIterable {
        case latency, sync
    }

    @Option(help: ArgumentHelp("Rows to run, comma-separated: latency (lab, root), sync (dry run).", valueName: "rows"))
    var rows = "latency,sync"

    @Option(help: "Lab hosts of the latency row.")
    var hosts = 20

    @Option(help: "Changes of the latency row, one at a time.")
    var changes = 200

    @Option(help: "The controller's --min-interval in the latency row (seconds).")
    var minInterval = 0.05

    @Option(help: "The controller's --concurrency in the latency row (hosts worked on at once; default: the controller's, 32).")
    var concurrency: Int?

    @Option(help: ArgumentHelp("The lab hosts' ssh.mode in the latency row: shell (root's key runs the scripts) or restricted (a non-root account whose key runs only the entry point, through sudo, installed by extend host-bootstrap --install).", valueName: "mode"))
    var sshMode = "shell"

    @Option(help: "Milliseconds between two looks at the hosts' sets.")
    var pollMs = 5

    @Option(help: "Seconds a change may take before the run fails.")
    var changeTimeout = 30.0

    @Option(help: "Runs of the sync row (the median is reported, the highest peak RSS).")
    var repeats = 3

    @Option(help: ArgumentHelp("Where the sync row writes extend-bench's base input (default: $TMPDIR/extend-controller-bench).", valueName: "dir"))
    var work: String?

    @Option(help: ArgumentHelp("The extend executable (default: the one beside this executable).", valueName: "path"))
    var extend: String?

    @Option(name: .customLong("sync-controller-arg"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("One more argument for the controller of the sync row (repeatable), e.g. --sync-controller-arg --no-log-connection-changes.", valueName: "arg"))
    var syncControllerArgs: [String] = []

    func validate() throws {
        guard !selectedRows.isEmpty, rows.split(separator: ",").allSatisfy({ Row(rawValue: String($0)) != nil }) else {
            throw ValidationError("--rows: a comma-separated list of \(Row.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...150).contains(hosts) else { throw ValidationError("--hosts must be from 1 to 150") }
        guard changes > 0 else { throw ValidationError("--changes must be above 0") }
        guard minInterval > 0 else { throw ValidationError("--min-interval must be above 0") }
        guard ["shell", "restricted"].contains(sshMode) else { throw ValidationError("--ssh-mode: shell or restricted") }
        guard (1...1000).contains(pollMs) else { throw ValidationError("--poll-ms must be from 1 to 1000") }
        guard repeats > 0 else { throw ValidationError("--repeats must be above 0") }
    }

    var selectedRows: [Row] { rows.split(separator: ",").compactMap { Row(rawValue: String($0)) } }

    func run() throws {
        let executable = try extendPath()
        if selectedRows.contains(.latency) {
            if getuid() != 0 { throw ValidationError("the latency row builds a lab of network namespaces: run as root (or --rows sync)") }
            if let missing = Lab.missingPrerequisites.first {
                throw ValidationError("cannot build a lab here: \(missing) (run scripts/install-deps, as root)")
            }
        }
        let cleanup = Cleanup()
        cleanup.installSignalHandlers()
        defer { cleanup.run() }
        let loadBefore = Self.loadAverage()
        var results: [RowResult] = []
        for row in selectedRows {
            do {
                switch row {
                case .latency:
                    results.append(try LatencyRow(hosts: hosts, changes: changes, extend: executable, minInterval: minInterval, concurrency: concurrency,
                                                  restricted: sshMode == "restricted", pollInterval: .milliseconds(pollMs), changeTimeout: .milliseconds(Int(changeTimeout * 1000)))
                        .run(cleanup: cleanup))
                case .sync:
                    let work = self.work ?? FileManager.default.temporaryDirectory.appendingPathComponent("extend-controller-bench").path
                    results.append(try InitialSyncRow(scale: .base, work: work, extend: executable, repeats: repeats,
                                                  extraArguments: syncControllerArgs).run(cleanup: cleanup))
                }
            } catch {
                cleanup.run()
                Log.say("extend-controller-bench: \(row.rawValue): \(error)")
                throw ExitCode(1)
            }
            cleanup.run()
        }
        let table = ResultsTable(results: results)
        print("extend-controller-bench: \(executable); \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; load average before \(loadBefore), after \(Self.loadAverage())")
        print("")
        print(table.markdown)
        print("Against issue 11's targets:")
        for line in table.targets { print("- " + line) }
    }

    /// --extend, else `extend` beside this executable (.build/release).
    private func extendPath() throws -> String {
        if let extend { return extend }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = here.appendingPathComponent("extend").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("no extend beside this executable (\(path)): swift build -c release --product extend, or pass --extend PATH")
        }
        return path
    }

    static func loadAverage() -> String {
        let text = FileManager.default.contents(atPath: "/proc/loadavg").map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
