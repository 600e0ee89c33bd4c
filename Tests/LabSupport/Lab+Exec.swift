extension Lab {
    /// Runs `argv` inside the host: in its network namespace and, while its
    /// sshd runs, in sshd's mount namespace too, so the command sees the same
    /// private /var/lib/netpol-extend and /run/netpol-extend as SSH commands do.
    public func exec(
        in host: LabHost, _ argv: [String], stdin: [UInt8] = [], timeout: Duration = .seconds(60)
    ) throws -> LabCommandResult {
        if let pid = sshdPID(of: host), LabProcess.isRunning(pid) {
            return try LabProcess.run(
                ["nsenter", "--target", String(pid), "--mount", "--net", "--"] + argv,
                stdin: stdin, timeout: timeout)
        }
        return try LabProcess.run(["ip", "netns", "exec", host.netns] + argv, stdin: stdin, timeout: timeout)
    }

    /// Runs `argv` on this machine (the root namespace), e.g. `ip netns list`.
    public static func run(_ argv: [String], stdin: [UInt8] = [], environment: [String: String] = [:]) throws -> LabCommandResult {
        try LabProcess.run(argv, stdin: stdin, environment: environment)
    }
}
