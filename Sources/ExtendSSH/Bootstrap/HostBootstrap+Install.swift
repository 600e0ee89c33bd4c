import ExtendCore
import Logging

extension HostBootstrap {
    /// Installs the restricted access over `admin`, the privileged access the
    /// host has today (root, or a sudoer when `sudo`), then proves it as
    /// `restricted` would use it: a request works and a shell is refused.
    /// Returns what changed (`account`, `entry-point`, `sudoers`, `authorized-keys`);
    /// empty when the host already had exactly this. Blocking.
    public func install(over admin: SSHEndpoint, sudo: Bool, verifyingAs restricted: SSHEndpoint,
                        logger: Logger = SSHConnection.defaultLogger) throws(SSHError) -> [String] {
        let changed: [String]
        do {
            let conn = try SSHConnection.connect(admin, logger: logger)
            defer { conn.close() }
            let r = try conn.run(HostScripts.command(HostScripts.install, sudo: sudo), stdin: bundle.bytes)
            let marker = "#npx installed"
            guard r.succeeded, let line = r.stdoutText.split(separator: "\n").last(where: { $0.hasPrefix(marker) }) else {
                let why = r.stderr.trimmedLastLine
                throw SSHError(.remote, host: admin.label,
                    "\(admin.label): installing the restricted access as \(admin.user) failed (exit \(r.exitStatus))" + (why.isEmpty ? "" : ": \(why)"))
            }
            changed = line.dropFirst(marker.count).split(separator: " ").map(String.init)
        }
        try Self.verify(restricted, logger: logger)
        return changed
    }

    /// As the restricted key: the entry point is this extend's version,
    /// `observe` answers with the host's rules, and a shell command is
    /// refused by the entry point.
    public static func verify(_ restricted: SSHEndpoint, logger: Logger = SSHConnection.defaultLogger) throws(SSHError) {
        let conn = try SSHConnection.connect(restricted, logger: logger)
        defer { conn.close() }
        var agent = HostAgent(endpoint: restricted, desired: .nothing(host: restricted.name), logger: logger)
        agent.options.mode = .restricted
        try agent.checkEntryPoint(conn)
        _ = try agent.observe(conn)
        let shell = try conn.run("id")
        guard shell.exitStatus == Int32(HostScripts.refusedStatus) else {
            throw SSHError(.remote, host: restricted.label,
                "\(restricted.label): the key of \(restricted.user) is not restricted: `id` exited \(shell.exitStatus), not refused by \(HostScripts.entryPointPath); look for another line for this key in its authorized_keys or an AuthorizedKeysCommand")
        }
    }
}
