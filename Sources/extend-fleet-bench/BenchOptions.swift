/// Command-line options of `extend-fleet-bench` (a benchmark, not a product
/// command: plain parsing, no argument-parser dependency).
struct BenchOptions {
    /// Lab hosts to build and work on.
    var hosts = 50
    /// Hosts worked on at once by extend (`--concurrency`, the CLI's default)
    /// and Ansible's `forks`: the same for both.
    var concurrency = 16
    /// The bundled example's cluster manifests.
    var cluster = "inventory/example/cluster"
    /// Run only extend's rows (for a machine without Ansible).
    var skipAnsible = false
    /// Copy the generated inventory, playbook and payloads here before the lab goes.
    var keep: String?
    /// Instead of the fleet table: one host at a time, this many repetitions of each step.
    var profile: Int?
    /// Run on lab hosts whose remote shells run this machine's root
    /// ~/.bashrc (see LabVariant); by default they have an empty HOME.
    var withBashrc = false

    static let usage = """
        usage: extend-fleet-bench [--hosts N] [--concurrency N] [--cluster DIR] [--skip-ansible] [--keep DIR]
                              [--profile REPS] [--with-bashrc]

        Builds a lab of N network-namespace hosts (default 50) with their own sshd,
        measures `diff` and `apply` of the bundled example against them, then the
        same payloads pushed by an Ansible playbook (Debian's `ansible` package),
        checks both leave identical rules, prints a markdown table, and tears the
        lab down. --profile REPS instead times one host at a time. The lab's remote
        shells have an empty HOME; --with-bashrc gives them this machine's root
        ~/.bashrc (pyenv's init here: a lab artifact, see docs/performance.md).
        Needs root. Run from the repository root, in release:

            swift build -c release --product extend-fleet-bench && .build/release/extend-fleet-bench
        """

    static func parse(_ args: [String]) throws(BenchError) -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        func value(_ flag: String) throws(BenchError) -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(flag) needs a value\n\n\(usage)") }
            return args[i]
        }
        func number(_ flag: String, _ range: ClosedRange<Int>) throws(BenchError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), range.contains(n) else {
                throw BenchError("\(flag) must be a number from \(range.lowerBound) to \(range.upperBound), not \(text)")
            }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--hosts": o.hosts = try number("--hosts", 10...200)
            case "--concurrency": o.concurrency = try number("--concurrency", 1...64)
            case "--cluster": o.cluster = try value("--cluster")
            case "--skip-ansible": o.skipAnsible = true
            case "--keep": o.keep = try value("--keep")
            case "--profile": o.profile = try number("--profile", 1...50)
            case "--with-bashrc": o.withBashrc = true
            case "--without-bashrc": o.withBashrc = false  // the default; kept for older notes
            case "-h", "--help": throw BenchError(usage, exitCode: 0)
            default: throw BenchError("unknown argument \(args[i])\n\n\(usage)")
            }
            i += 1
        }
        return o
    }
}

/// Why the benchmark stopped, with the exit code to end with.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}
