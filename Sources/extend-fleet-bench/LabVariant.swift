import ExtendSSH
import Foundation
import LabSupport

/// `--with-bashrc`: the lab gives remote shells an empty HOME of their own
/// (LabSupport, Lab+SSHD), so they skip this machine's root ~/.bashrc, which
/// runs pyenv's init (tens of ms of CPU per command, and now and then a wait
/// of up to 60 s on pyenv's rehash lock; docs/performance.md). This variant
/// restarts each host's sshd without that setting, as the machine makes it.
/// It changes only the lab's own sshd_config files, never ~/.bashrc.
enum LabVariant {
    /// - Parameter probe: a host to check the change took on, over SSH.
    static func withBashrc(_ lab: Lab, probe: SSHEndpoint) throws {
        try lab.useMachineShellStartup()
        let conn = try SSHConnection.connect(probe)
        defer { conn.close() }
        let r = try conn.run("printf %s \"$HOME\"")
        let home = NSHomeDirectory()
        guard r.succeeded, String(decoding: r.stdout, as: UTF8.self) == home else {
            throw BenchError("\(probe.name): after restarting sshd without SetEnv HOME, a remote shell has HOME=\(String(decoding: r.stdout, as: UTF8.self)), not \(home)")
        }
    }
}
