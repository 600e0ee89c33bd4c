import Foundation

extension Lab {
    /// Restarts the host's sshd so that, in its sessions, the program at
    /// `path` (for example /usr/bin/setsid) waits `seconds` before it runs:
    /// a script that sleeps and then runs a copy of the real program is bind
    /// mounted over it, in the sshd's private mount namespace only. Both
    /// files live in the lab's directory; nothing else on the machine changes.
    /// Restarting sshd without `covering` (`killSSHD` + `startSSHD`) undoes it.
    public func slowDown(_ path: String, by seconds: Double, on host: LabHost) throws {
        let home = (host.sshdConfigPath as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let real = home + "/\(name).real", wrapper = home + "/\(name).slow"
        if !FileManager.default.fileExists(atPath: real) {
            do {
                try FileManager.default.copyItem(atPath: path, toPath: real)
            } catch {
                throw LabError("cannot copy \(path) into the lab: \(error)")
            }
        }
        let script = "#!/bin/sh\nsleep \(seconds)\nexec '\(real)' \"$@\"\n"
        guard FileManager.default.createFile(atPath: wrapper, contents: Data(script.utf8),
                                             attributes: [.posixPermissions: 0o755]) else {
            throw LabError("cannot write \(wrapper)")
        }
        killSSHD(host)
        try startSSHD(host, covering: [(wrapper, path)])
    }
}
