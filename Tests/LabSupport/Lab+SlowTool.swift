import Foundation

extension Lab {
    /// When a slowed program waits: before it starts, or after it has done
    /// its work (its effect is in place, its caller has not seen it end).
    public enum SlowPoint: Sendable {
        case before, after
    }

    /// Restarts the host's sshd so that, in its sessions, the program at
    /// `path` (for example /usr/bin/setsid or /usr/sbin/iptables-restore)
    /// sleeps `seconds` before or after it runs. A script that sleeps and
    /// runs the real program is put in its place, in the sshd's private mount
    /// namespace only: bind mounted over the program, or, for a program
    /// Debian picks with update-alternatives (a bind mount would follow the
    /// link), as its link in a copy of /etc/alternatives mounted over that
    /// directory (`alternativesCovering`). Everything lives in the lab's
    /// directory; nothing else on the machine changes. Restarting sshd
    /// (`killSSHD` + `startSSHD`) undoes it.
    public func slowDown(_ path: String, by seconds: Double, _ point: SlowPoint = .before, on host: LabHost) throws {
        let home = host.directory
        let name = (path as NSString).lastPathComponent
        let fm = FileManager.default
        let alternative = "/etc/alternatives/" + name
        let real: String
        var covering: [(file: String, path: String)] = []
        let wrapper = home + "/\(name).slow"
        if let target = try? fm.destinationOfSymbolicLink(atPath: path), target == alternative {
            // /usr/sbin/NAME -> /etc/alternatives/NAME -> the real program,
            // which is run by that path (multi-call binaries go by their name).
            do {
                real = try fm.destinationOfSymbolicLink(atPath: alternative)
            } catch {
                throw LabError("cannot read \(alternative): \(error)")
            }
            covering = [try alternativesCovering(for: host, replacing: [name: wrapper])]
        } else {
            real = home + "/\(name).real"
            if !fm.fileExists(atPath: real) {
                do {
                    try fm.copyItem(atPath: path, toPath: real)
                } catch {
                    throw LabError("cannot copy \(path) into the lab: \(error)")
                }
            }
            covering = [(wrapper, path)]
        }
        let script = switch point {
        case .before: "#!/bin/sh\nsleep \(seconds)\nexec '\(real)' \"$@\"\n"
        case .after: "#!/bin/sh\n'\(real)' \"$@\"\nrc=$?\nsleep \(seconds)\nexit $rc\n"
        }
        guard fm.createFile(atPath: wrapper, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw LabError("cannot write \(wrapper)")
        }
        killSSHD(host)
        try startSSHD(host, covering: covering)
    }
}
