import Foundation

extension Lab {
    /// Builds, in the host's lab directory, a copy of /etc/alternatives
    /// whose links point where the machine's do, except the names in
    /// `replacing`, which point to the given targets (a name the machine
    /// does not have is added). Returns the covering for `startSSHD`: the
    /// copy over /etc/alternatives, in that host's sshd mount namespace only.
    /// Nothing outside the lab's directory changes.
    ///
    /// Debian picks programs such as /usr/sbin/iptables through links in
    /// /etc/alternatives; a bind mount over the program itself would follow
    /// the link and cover the real binary, so a host that needs a program
    /// of its own gets it here instead.
    func alternativesCovering(for host: LabHost, replacing: [String: String]) throws -> (file: String, path: String) {
        let fm = FileManager.default
        let home = host.directory
        let copy = home + "/alternatives"
        do {
            if fm.fileExists(atPath: copy) { try fm.removeItem(atPath: copy) }
            try fm.createDirectory(atPath: copy, withIntermediateDirectories: false)
            for entry in try fm.contentsOfDirectory(atPath: "/etc/alternatives") where replacing[entry] == nil {
                if let to = try? fm.destinationOfSymbolicLink(atPath: "/etc/alternatives/" + entry) {
                    try fm.createSymbolicLink(atPath: copy + "/" + entry, withDestinationPath: to)
                }
            }
            for (name, target) in replacing {
                try fm.createSymbolicLink(atPath: copy + "/" + name, withDestinationPath: target)
            }
        } catch {
            throw LabError("cannot build a copy of /etc/alternatives for \(host.name) in the lab: \(error)")
        }
        return (copy, "/etc/alternatives")
    }
}
