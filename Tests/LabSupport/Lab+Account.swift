import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// What every lab sudoers starts with: Debian's defaults and root's rule,
    /// without Debian's `@includedir /etc/sudoers.d` (this machine's drop-ins
    /// are not the host's).
    static let sudoersBase = """
        Defaults env_reset
        Defaults mail_badpass
        Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        Defaults use_pty
        root ALL=(ALL:ALL) ALL

        """

    /// Restarts the host's sshd so that its sessions know a non-root account
    /// `name` (uid and gid of their own, high and unused on this machine;
    /// shell /bin/sh; home in the lab's directory; password `*`, so only key
    /// login works, with the lab's client keys) and a sudoers of the lab's,
    /// `sudoersBase` followed by `sudoers` verbatim.
    ///
    /// Nothing on the machine changes: copies of /etc/passwd, /etc/group and
    /// /etc/shadow with the account added (the copy of /etc/shadow keeps no
    /// password hash: every entry that had one is locked), the sudoers file
    /// (root's, mode 0440, as sudo demands) and an empty directory for sudo's
    /// timestamps are bind mounted over /etc/passwd, /etc/group, /etc/shadow,
    /// /etc/sudoers and /run/sudo in that sshd's mount namespace only. sshd
    /// reads authorized_keys as the user logging in, so the lab's directory
    /// becomes searchable by others (o+x; it is not listable, and every key
    /// in it is mode 0600). sudo keeps its timestamps in the lab too
    /// (`timestampdir`; /run/sudo, where this machine has it, is covered as
    /// well: a freshly booted machine may not, and the lab creates nothing
    /// outside its directory). Restarting sshd undoes it.
    ///
    /// With `installable`, the host also gets what restricted mode installs
    /// on a real host, in places of the lab's own: /usr/local is an overlay
    /// whose writes land in the account's directory (this machine's
    /// /usr/local is read through it, never written), /etc/sudoers.d is an
    /// empty directory of the lab's that the sudoers includes, and sshd also
    /// reads the account's own ~/.ssh/authorized_keys (in the lab).
    @discardableResult
    public func addAccount(_ name: String = "netpol-extend", sudoers: String, installable: Bool = false,
                           on host: LabHost) throws -> LabAccount {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: "/usr/bin/sudo"), fm.fileExists(atPath: "/etc/sudoers") else {
            throw LabError("a lab account with sudo needs Debian's sudo package (scripts/install-deps installs it)")
        }
        let home = host.directory
        let dir = home + "/account-" + name
        let passwd = try Lab.readText("/etc/passwd"), group = try Lab.readText("/etc/group")
        let shadow = try Lab.readText("/etc/shadow")
        func taken(_ text: String) -> Set<UInt32> {
            Set(text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                return fields.count > 2 ? UInt32(fields[2]) : nil
            })
        }
        let used = taken(passwd).union(taken(group))
        guard let id = (0..<50).lazy.map({ _ in UInt32.random(in: 200_000..<300_000) }).first(where: { !used.contains($0) }) else {
            throw LabError("found no unused uid for \(name) on \(host.name)")
        }
        if (passwd.split(separator: "\n") + group.split(separator: "\n")).contains(where: { $0.hasPrefix(name + ":") }) {
            throw LabError("this machine already has \(name) in /etc/passwd or /etc/group; the lab will not shadow it")
        }
        let account = LabAccount(name: name, uid: id, gid: id, home: dir + "/home", sudoersPath: dir + "/sudoers")
        let lockedShadow = Self.locked(shadow)
        let files: [(name: String, text: String, mode: Int)] = [
            ("passwd", passwd + "\(name):x:\(id):\(id):netpol-extend lab account:\(account.home):/bin/sh\n", 0o644),
            ("group", group + "\(name):x:\(id):\n", 0o644),
            ("shadow", lockedShadow + "\(name):*:19000:0:99999:7:::\n", 0o600),
            ("sudoers", Self.sudoersBase + "Defaults timestampdir=\(dir)/run-sudo/ts\n" + sudoers
                + (installable ? "@includedir /etc/sudoers.d\n" : ""), 0o440),
        ]
        do {
            if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
            try fm.createDirectory(atPath: account.home, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o755])
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
            try fm.setAttributes([.posixPermissions: 0o700, .ownerAccountID: id, .groupOwnerAccountID: id],
                                 ofItemAtPath: account.home)
            try fm.createDirectory(atPath: dir + "/run-sudo", withIntermediateDirectories: false,
                                   attributes: [.posixPermissions: 0o711])
            for file in files {
                guard fm.createFile(atPath: dir + "/" + file.name, contents: Data(file.text.utf8),
                                    attributes: [.posixPermissions: file.mode]) else {
                    throw LabError("cannot write \(dir)/\(file.name)")
                }
            }
            // sshd opens authorized_keys as the user: every directory above it must let the user through.
            try fm.setAttributes([.posixPermissions: 0o711], ofItemAtPath: directory)
        } catch {
            throw LabError("cannot make the account \(name) for \(host.name) in the lab: \(error)")
        }
        try LabProcess.check(["visudo", "-c", "-q", "-f", account.sudoersPath])
        killSSHD(host)
        var covering = [(file: dir + "/passwd", path: "/etc/passwd"), (dir + "/group", "/etc/group"),
                        (dir + "/shadow", "/etc/shadow"), (account.sudoersPath, "/etc/sudoers")]
        if fm.fileExists(atPath: "/run/sudo") { covering.append((dir + "/run-sudo", "/run/sudo")) }
        var overlays: [LabOverlay] = []
        if installable {
            for sub in ["sudoers.d", "usr-local", "usr-local-work"] {
                try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            }
            covering.append((dir + "/sudoers.d", "/etc/sudoers.d"))
            overlays.append(LabOverlay(path: "/usr/local", upper: dir + "/usr-local", work: dir + "/usr-local-work"))
            try readAccountKeys(name, host)
        }
        try startSSHD(host, covering: covering, overlays: overlays)
        return account
    }
}

extension Lab {
    /// A copy of a shadow or gshadow file where every entry that had a
    /// password hash is locked: no hash of this machine's goes into the lab.
    static func locked(_ text: String) -> String {
        text.split(separator: "\n").map { line -> String in
            var fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 1, let first = fields[1].first, first != "*", first != "!" { fields[1] = "!" }
            return fields.joined(separator: ":") + "\n"
        }.joined()
    }

    /// Restarts the host's sshd as a fresh machine that `extend
    /// host-bootstrap --install` can make an account on: the host has no
    /// account `name`, and whatever an install writes lands in the lab.
    ///
    /// In that sshd's mount namespace only: /etc is an overlay whose writes
    /// land in the lab (its upper directory starts with copies of passwd and
    /// group, of shadow and gshadow with every password hash locked, and the
    /// lab's sudoers: `sudoersBase`, `sudoers`, then `@includedir
    /// /etc/sudoers.d`), so useradd writes there and never in this machine's
    /// /etc; /etc/sudoers.d, /home, /var/mail and /run/sudo are empty
    /// directories of the lab's; /usr/local is an overlay as in `addAccount`.
    /// sshd also reads `name`'s own ~/.ssh/authorized_keys. Restarting sshd undoes it.
    public func makeBare(_ host: LabHost, without name: String, sudoers: String = "") throws {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: "/usr/bin/sudo"), fm.fileExists(atPath: "/etc/sudoers") else {
            throw LabError("a bare lab host needs Debian's sudo package (scripts/install-deps installs it)")
        }
        let passwd = try Lab.readText("/etc/passwd"), group = try Lab.readText("/etc/group")
        if (passwd.split(separator: "\n") + group.split(separator: "\n")).contains(where: { $0.hasPrefix(name + ":") }) {
            throw LabError("this machine already has \(name) in /etc/passwd or /etc/group; the lab will not shadow it")
        }
        let dir = host.directory + "/bare"
        let upper = dir + "/etc-upper"
        var files: [(name: String, text: String, mode: Int)] = [
            ("passwd", passwd, 0o644), ("group", group, 0o644),
            ("shadow", Self.locked(try Lab.readText("/etc/shadow")), 0o600),
            ("sudoers", Self.sudoersBase + "Defaults timestampdir=\(dir)/run-sudo/ts\n" + sudoers + "@includedir /etc/sudoers.d\n", 0o440),
        ]
        if fm.fileExists(atPath: "/etc/gshadow") { files.append(("gshadow", Self.locked(try Lab.readText("/etc/gshadow")), 0o600)) }
        do {
            if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
            for sub in ["etc-upper", "etc-work", "sudoers.d", "home", "mail", "run-sudo", "usr-local", "usr-local-work"] {
                try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            }
            try fm.setAttributes([.posixPermissions: 0o711], ofItemAtPath: dir + "/run-sudo")
            for file in files {
                guard fm.createFile(atPath: upper + "/" + file.name, contents: Data(file.text.utf8),
                                    attributes: [.posixPermissions: file.mode]) else {
                    throw LabError("cannot write \(upper)/\(file.name)")
                }
            }
        } catch let error as LabError {
            throw error
        } catch {
            throw LabError("cannot make the bare host \(host.name) in the lab: \(error)")
        }
        try LabProcess.check(["visudo", "-c", "-q", "-f", upper + "/sudoers"])
        killSSHD(host)
        var covering = [(file: dir + "/sudoers.d", path: "/etc/sudoers.d"), (dir + "/home", "/home")]
        if fm.fileExists(atPath: "/var/mail") { covering.append((dir + "/mail", "/var/mail")) }
        if fm.fileExists(atPath: "/run/sudo") { covering.append((dir + "/run-sudo", "/run/sudo")) }
        try readAccountKeys(name, host)
        try startSSHD(host, covering: covering, overlays: [
            LabOverlay(path: "/etc", upper: upper, work: dir + "/etc-work"),
            LabOverlay(path: "/usr/local", upper: dir + "/usr-local", work: dir + "/usr-local-work"),
        ])
    }
}

/// A directory of the machine seen through an overlay in one host's mount
/// namespace: reads fall through to it, writes land in `upper` (the lab's).
public struct LabOverlay: Sendable {
    public var path: String
    public var upper: String
    public var work: String
}

extension Lab {
    /// Lets the account log in with keys from its own ~/.ssh/authorized_keys
    /// too (its home is in the lab); other users keep the lab's shared file alone.
    func readAccountKeys(_ name: String, _ host: LabHost) throws {
        let config = try Lab.readText(host.sshdConfigPath)
        let block = "Match User \(name)\n    AuthorizedKeysFile \(authorizedKeysPath) %h/.ssh/authorized_keys\n"
        guard !config.contains(block) else { return }
        try Lab.append(lines: [block], to: host.sshdConfigPath)
    }
}
