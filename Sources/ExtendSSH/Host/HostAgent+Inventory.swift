import ExtendCore
import Foundation
import Logging

extension HostAgent {
    /// The agent for a host as the inventory describes it: its SSH settings
    /// (`~` expanded; the key's passphrase, if any, from
    /// `EXTEND_SSH_KEY_PASSPHRASE`), and its desired state compiled with the
    /// address this machine reaches it from added to the lockout guard, so
    /// the run never locks itself out.
    /// - Parameters:
    ///   - management: the host's own guard sources (empty for a host that left the inventory).
    ///   - desired: the state, given the extra guard sources.
    public static func make(name: String, ssh: SSHSettings, connect: String, management: [CIDR], persist: Bool,
                            rollbackAfter: Int, logger: Logger, desired: ([CIDR]) -> HostDesiredState) -> HostAgent {
        var options = HostAgent.Options()
        options.rollbackAfter = rollbackAfter
        options.sudo = ssh.sudo
        options.mode = ssh.mode
        options.persist = persist
        return HostAgent(endpoint: SSHEndpoint(name: name, ssh: ssh, connect: connect), desired: desired(guardSources(connect: connect, port: ssh.port, management: management)),
                         options: options, logger: logger)
    }

    /// This machine's address towards the host, unless the host's guard already covers it.
    public static func guardSources(connect: String, port: Int, management: [CIDR]) -> [CIDR] {
        guard let me = SourceAddress.towards(connect, port: port), !management.contains(where: { $0.contains(me) }) else { return [] }
        return [CIDR(host: me)]
    }

    public static func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst(1)
    }
}

extension SSHEndpoint {
    /// How the inventory says to reach a host: its ssh settings (`~`
    /// expanded; the key's passphrase, if any, from `EXTEND_SSH_KEY_PASSPHRASE`).
    public init(name: String, ssh: SSHSettings, connect: String) {
        self.init(name: name, address: connect, port: ssh.port, user: ssh.user,
                  identityFile: HostAgent.expand(ssh.identityFile),
                  passphrase: ProcessInfo.processInfo.environment["EXTEND_SSH_KEY_PASSPHRASE"],
                  knownHostsFile: HostAgent.expand(ssh.knownHostsFile), connectTimeout: .seconds(ssh.connectTimeoutSeconds))
    }
}
