import ExtendCore
import Foundation

/// The scale benchmark: compile + render for synthetic clusters, one child
/// process per size so each size's peak memory is its own.
///
///     swift build -c release --product extend-bench && .build/release/extend-bench
@main
struct Bench {
    static let base = (pods: 10_000, policies: 2_000, hosts: 1_000)

    static func main() throws {
        let args = CommandLine.arguments
        if let i = args.firstIndex(of: "--one"), i + 3 < args.count,
           let pods = Int(args[i + 1]), let policies = Int(args[i + 2]), let hosts = Int(args[i + 3]) {
            print(measure(pods: pods, policies: policies, hosts: hosts).line)
            return
        }
        let sizes: [(String, Int, Int, Int)] = [
            ("1x", base.pods, base.policies, base.hosts),
            ("2x", base.pods * 2, base.policies * 2, base.hosts * 2),
            ("4x", base.pods * 4, base.policies * 4, base.hosts * 4),
            ("1x, pods 2x", base.pods * 2, base.policies, base.hosts),
            ("1x, pods 4x", base.pods * 4, base.policies, base.hosts),
        ]
        print("| size | namespaces | pods | policies | hosts | payload bytes | compile+render | per payload MB | peak memory | rules/host max | rules/host mean | set entries/host max | set entries/host mean |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (label, pods, policies, hosts) in sizes {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: args[0])
            p.arguments = ["--one", String(pods), String(policies), String(hosts)]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            print("| \(label) " + line)
        }
    }

    struct Result { var line: String }

    static func measure(pods: Int, policies: Int, hosts: Int) -> Result {
        // Namespaces grow with the cluster (100 at the base size): a larger
        // cluster has more teams, not denser namespaces.
        let namespaces = max(10, policies / 20)
        let (cluster, inventory) = SyntheticCluster(pods: pods, policies: policies, hosts: hosts, namespaces: namespaces).build()
        let clock = ContinuousClock()
        let start = clock.now
        // What `extend render` does after reading its input: join, compile every host, render every payload.
        let (world, problems) = World.build(cluster: cluster, inventory: inventory)
        precondition(problems.isEmpty, "synthetic input is invalid: \(problems.prefix(3))")
        let compiler = Compiler(world: world)
        var rules: [Int] = []
        var entries: [Int] = []
        var bytes = 0
        let cache = SetTextCache()
        for h in world.hosts {
            let s = compiler.compile(h)
            let r = RenderedHost(s, cache: cache)
            bytes += r.ipset.utf8.count + r.iptables.values.reduce(0) { $0 + $1.utf8.count }
            rules.append(s.tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } })
            entries.append(s.sets.reduce(0) { $0 + $1.members.count })
        }
        let elapsed = clock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        func mean(_ a: [Int]) -> String { a.isEmpty ? "0" : String(format: "%.1f", Double(a.reduce(0, +)) / Double(a.count)) }
        return Result(line: "| \(namespaces) | \(pods) | \(policies) | \(hosts) | \(String(format: "%.1f MB", Double(bytes) / 1e6)) | \(String(format: "%.0f ms", ms)) | \(String(format: "%.1f ms", ms / max(0.001, Double(bytes) / 1e6))) | \(String(format: "%.0f MB", peakMB)) | \(rules.max() ?? 0) | \(mean(rules)) | \(entries.max() ?? 0) | \(mean(entries)) |")
    }
}
