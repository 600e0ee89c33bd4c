import Foundation

extension NetnsLab {
    /// Runs `argv` inside `host`'s network namespace (`ip netns exec`), with
    /// `stdin` as its input, and collects what it printed.
    public func run(_ argv: [String], in host: NetnsHost, stdin: String? = nil,
                    timeout: Duration = .seconds(30)) throws(LabError) -> NetnsCommandResult {
        try start(argv, in: host, stdin: stdin).wait(timeout: timeout)
    }

    /// Like `run`, but throws (naming the host, the command and its stderr) unless it exits 0.
    @discardableResult
    public func check(_ argv: [String], in host: NetnsHost, stdin: String? = nil,
                      timeout: Duration = .seconds(30)) throws(LabError) -> NetnsCommandResult {
        let result = try run(argv, in: host, stdin: stdin, timeout: timeout)
        guard result.succeeded else { throw LabError("\(host): \(result)") }
        return result
    }

    /// Runs one command in each of many hosts at once and returns the results
    /// in the same order; throws (naming the host) unless every one exits 0.
    @discardableResult
    public func checkAll(_ jobs: [(host: NetnsHost, argv: [String], stdin: String?)],
                         timeout: Duration = .seconds(30)) throws(LabError) -> [NetnsCommandResult] {
        var running: [(NetnsHost, NetnsCommand.Running)] = []
        for job in jobs { running.append((job.host, try start(job.argv, in: job.host, stdin: job.stdin))) }
        var results: [NetnsCommandResult] = []
        var failure: LabError?
        for (host, command) in running {
            do {
                let result = try command.wait(timeout: timeout)
                if !result.succeeded && failure == nil { failure = LabError("\(host): \(result)") }
                results.append(result)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return results
    }

    func start(_ argv: [String], in host: NetnsHost, stdin: String?) throws(LabError) -> NetnsCommand.Running {
        guard let name = argv.first else { throw LabError("cannot run an empty command in \(host)") }
        // ip netns exec looks the program up in PATH, which may lack the sbin directories.
        let program = try NetnsCommand.executable(name)
        return try NetnsCommand.start(["ip", "netns", "exec", host.netns, program] + argv.dropFirst(),
                                      stdin: stdin, scratch: path("cmd"))
    }
}
