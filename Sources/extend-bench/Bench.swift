import ArgumentParser
import BenchSupport
import Foundation

/// The scale benchmark of issue 10: generates clusters and inventories of the
/// issue's shape with its own seeded generator, runs the real `extend`
/// process on them and prints a Markdown table (wall time, peak RSS of the
/// extend process, output bytes, rules, set entries and distinct addresses
/// per host).
///
///     swift build -c release --product extend && swift build -c release --product extend-bench
///     .build/release/extend-bench
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend-bench",
        abstract: "Generate inputs of issue 10's shape and measure the real extend process on them.",
        discussion: "Rows: \(BenchRow.all.map { "\($0.id.rawValue) (\($0.title))" }.joined(separator: ", ")).")

    @Option(help: "Comma-separated rows to run.")
    var rows = BenchRow.all.map(\.id.rawValue).joined(separator: ",")

    @Option(help: "Multiply the base size (pods, policies, hosts, namespaces) by this, e.g. 0.1.")
    var scale: Double = 1

    @Option(help: "Pods at the base size (before --scale).")
    var pods = BenchScale.base.pods
    @Option(help: "Policies at the base size (before --scale).")
    var policies = BenchScale.base.policies
    @Option(help: "Hosts at the base size (before --scale).")
    var hosts = BenchScale.base.hosts
    @Option(help: "Cluster namespaces at the base size (before --scale); inventory-only ones are 1 per 20 on top.")
    var namespaces = BenchScale.base.namespaces
    @Option(help: "Seed of the generator: same seed and sizes, byte-identical files.")
    var seed: UInt64 = BenchScale.base.seed

    @Option(help: ArgumentHelp("The extend executable (default: beside this one).", valueName: "path"))
    var extend: String?

    @Option(help: ArgumentHelp("Where the generated inputs go, one folder per size (default: $TMPDIR/extend-bench).", valueName: "dir"))
    var work: String?

    @Option(help: "Stop an extend run after this many seconds.")
    var timeout: Double = 300

    @Option(name: .customLong("max-rss"), help: "Stop an extend run whose resident memory passes this many MB (0: no cap).")
    var maxRSSMB = 8192

    @Option(help: "Timed runs per row: the table shows the median wall time and the highest peak RSS.")
    var repeats = 3

    @Flag(help: "Only time the runs: skip the second render run that measures rules, sets and addresses.")
    var noMetrics = false

    @Flag(help: "Only write the inputs (and say where), run nothing.")
    var generateOnly = false

    /// Internal: run the command after `--`, measure its render output as it
    /// streams and print the metrics as JSON. The measuring runs get their own
    /// process so that this one stays small: a child spawned from a large
    /// process reports that process's peak as its own (Linux counts the
    /// parent's memory in a vfork'd child's ru_maxrss).
    @Flag(help: .hidden)
    var scanOutput = false

    @Argument(parsing: .postTerminator, help: .hidden)
    var command: [String] = []

    func validate() throws {
        _ = try BenchRow.parse(rows)
        guard scale > 0 else { throw ValidationError("--scale must be above 0") }
        guard pods >= 0, policies >= 0, hosts >= 0, namespaces >= 1 else {
            throw ValidationError("--pods, --policies and --hosts must not be negative; --namespaces at least 1")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be above 0") }
        guard (1...20).contains(repeats) else { throw ValidationError("--repeats must be between 1 and 20") }
        guard maxRSSMB >= 0 else { throw ValidationError("--max-rss must not be negative") }
    }

    func run() throws {
        if scanOutput { return try Runner.scanAndPrint(command) }
        let rows = try BenchRow.parse(rows)
        let base = BenchScale(pods: pods, policies: policies, hosts: hosts, namespaces: namespaces, seed: seed).scaled(by: scale)
        let workFolder = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("extend-bench").path
        let extend = try generateOnly ? "" : extendPath()
        let runner = Runner(extend: extend, timeout: .milliseconds(Int(timeout * 1000)),
                            maxRSSMB: maxRSSMB > 0 ? maxRSSMB : nil, metrics: !noMetrics, repeats: repeats)

        var inputs: [String: BenchInput] = [:]
        var results: [RowResult] = []
        // Size by size, smallest first, each input let go once its rows ran:
        // this process stays smaller than the extend runs it measures.
        let ordered = rows.enumerated().sorted { a, b in
            let (x, y) = (a.element.scale(from: base), b.element.scale(from: base))
            return (x.pods + x.policies + x.hosts, a.offset) < (y.pods + y.policies + y.hosts, b.offset)
        }.map(\.element)
        for row in ordered {
            let size = row.scale(from: base)
            let input: BenchInput
            if let known = inputs[size.folderName] {
                input = known
            } else {
                if !generateOnly { inputs = [:] }
                Log.say("generating \(size) in \(workFolder)/\(size.folderName)")
                input = try BenchInput.write(size, to: workFolder + "/" + size.folderName)
                inputs[size.folderName] = input
                Log.say("  cluster.json \(ResultsTable.bytes(input.clusterBytes)), inventory.yaml \(ResultsTable.bytes(input.inventoryBytes))")
            }
            if generateOnly { continue }
            results.append(runner.measure(row, input))
        }
        if generateOnly {
            for input in inputs.values.sorted(by: { $0.folder < $1.folder }) { print(input.folder) }
            return
        }
        var paired: PairedRatio?
        if repeats > 1, let b = results.first(where: { $0.row.id == .base }), let x = results.first(where: { $0.row.id == .all4x }),
           b.timed?.succeeded == true, x.timed?.succeeded == true {
            paired = runner.paired(base: b, all4x: x)
        }
        print("extend-bench: \(extend); base \(base); timeout \(ResultsTable.seconds(timeout)), memory cap \(maxRSSMB > 0 ? "\(maxRSSMB) MB" : "none"); \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
        print("")
        // Printed in the order asked for.
        results.sort { a, b in
            (rows.firstIndex { $0.id == a.row.id } ?? 0) < (rows.firstIndex { $0.id == b.row.id } ?? 0)
        }
        print(ResultsTable(results: results, maxRSSMB: maxRSSMB > 0 ? maxRSSMB : nil, paired: paired).markdown)
    }

    /// --extend, else `extend` in the folder of this executable (.build/release).
    private func extendPath() throws -> String {
        let path: String
        if let extend {
            path = extend
        } else {
            let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("extend").path
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("no extend executable at \(path); build it (swift build -c release --product extend) or pass --extend PATH")
        }
        return path
    }
}

/// Progress on stderr, so that stdout is the table alone.
enum Log {
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
