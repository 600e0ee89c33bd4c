import ExtendSSH
import Foundation
import LabSupport

/// `--without-bashrc`: the lab hosts share this machine's filesystem, so a
/// remote command runs root's ~/.bashrc (here: pyenv's init, tens of ms of
/// CPU per command; docs/performance.md). This variant restarts each host's
/// sshd with `SetEnv HOME=` an empty directory, so the shell sshd starts
/// finds no ~/.bashrc; everything else stays as the lab made it. It changes
/// only the lab's own sshd_config files, never ~/.bashrc.
enum LabVariant {
    /// - Parameter probe: a host to check the change took on, over SSH.
    static func withoutBashrc(_ lab: Lab, probe: SSHEndpoint) throws {
        let home = lab.path("home-without-bashrc")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        for host in lab.hosts {
            lab.killSSHD(host)
            guard let handle = FileHandle(forWritingAtPath: host.sshdConfigPath) else {
                throw BenchError("cannot open \(host.sshdConfigPath)")
            }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("SetEnv HOME=\(home)\n".utf8))
            try handle.close()
            try lab.startSSHD(host)
        }
        // Check it took: a remote shell now sees the empty HOME.
        let conn = try SSHConnection.connect(probe)
        defer { conn.close() }
        let r = try conn.run("printf %s \"$HOME\"")
        guard r.succeeded, String(decoding: r.stdout, as: UTF8.self) == home else {
            throw BenchError("\(probe.name): after restarting sshd with SetEnv HOME, a remote shell still has HOME=\(String(decoding: r.stdout, as: UTF8.self))")
        }
    }
}
