import Foundation
import LabSupport
import ExtendSSH
import Testing

extension HostLabBacked {
    /// `extend host-bootstrap` as an operator runs it, on a fresh lab host
    /// (no account, nothing of restricted mode installed: `Lab.makeBare`),
    /// then `extend apply` in restricted mode from the inventory.
    @Suite("host-bootstrap: from root access to restricted mode")
    struct Bootstrap {
        /// The inventory of `db`: reached as root with the lab's key (the access it has today), or restricted.
        static func writeInventory(_ lab: Lab, _ db: LabHost?, restricted key: LabKey?, name: String) throws -> String {
            let ssh = key.map { "{mode: restricted, user: \(RestrictedMode.user), identityFile: \($0.path)}" }
                ?? "{user: \(lab.user), identityFile: \(lab.clientKey.path)}"
            var text = """
                apiVersion: netpol-extend/v1
                kind: Inventory
                namespaces:
                  - name: \(labNamespace)
                defaults:
                  ssh: {port: \(lab.hosts[0].port), knownHostsFile: \(lab.knownHostsPath), connectTimeoutSeconds: 5}
                  management: [\(lab.managementAddress)/32]
                hosts:

                """
            if let db {
                text += "  - {name: \(db.name), namespace: \(labNamespace), labels: {role: db}, addresses: [\(db.address)], ssh: \(ssh)}\n"
            } else {
                text = text.replacingOccurrences(of: "hosts:\n", with: "hosts: []\n")
            }
            let path = lab.path(name)
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw LabError("cannot write \(path)") }
            return path
        }

        /// The built extend, off the shared pool (it waits for a child process).
        static func extend(_ arguments: [String], _ lab: Lab) async throws -> ExtendBinary.Run {
            try await offPool { try ExtendBinary.run(arguments, passphrase: nil, lab: lab) }
        }

        static func template(_ name: String) throws -> String {
            try String(contentsOfFile: packageRoot + "/templates/host/" + name, encoding: .utf8)
        }

        /// The installed files as the host sees them: content digest, mode, owner, modification time.
        static let installed = "/usr/local/libexec/netpol-extend-host /etc/sudoers.d/netpol-extend ~\(RestrictedMode.user)/.ssh/authorized_keys"

        /// The account files of the host, as it sees them (its private /etc), with size and modification time.
        static let accountFiles = "/etc/passwd /etc/group /etc/shadow"

        @Test("a dry run prints the account, the authorized_keys line, the sudoers drop-in and the entry point and installs nothing; --install on a host without the account creates it and leaves the host in restricted mode (sudo demanding a tty elsewhere), verified; a second --install changes nothing; apply and retired-host cleanup then work in restricted mode")
        func bootstrapThenApply() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try await Lab.withHosts(count: 1) { lab in
                let db = lab.hosts[0]
                func extend(_ arguments: [String]) async throws -> ExtendBinary.Run { try await Self.extend(arguments, lab) }
                // A host whose sudo demands a tty by default (as older RHEL does): the drop-in waives it for the entry point alone.
                try await offPool { try lab.makeBare(db, without: RestrictedMode.user, sudoers: "Defaults requiretty\n") }
                #expect(try lab.shell(db, "getent passwd \(RestrictedMode.user) || echo none") == "none\n")
                let accounts = try lab.shell(db, "stat -c '%n %s %Y' \(Self.accountFiles); sha256sum \(Self.accountFiles)")
                let key = try lab.makeKey(named: "restricted", authorize: false)
                let admin = try Self.writeInventory(lab, db, restricted: nil, name: "admin.yaml")
                let bootstrap = ["host-bootstrap", "--inventory", admin, "--public-key", key.path + ".pub"]
                let keyLine = "from=\"\(lab.managementAddress)\",restrict,command=\"/usr/local/libexec/netpol-extend-host\" "
                    + key.publicKey.split(separator: " ").prefix(2).joined(separator: " ") + " netpol-extend\n"

                // Dry run: everything to install is printed; nothing reaches the host.
                let dry = try await extend(bootstrap)
                #expect(dry.status == 0, "\(dry)")
                #expect(dry.stdout.contains("account: \(RestrictedMode.user) (kept as it is if it exists, with a login shell such as /bin/sh; else created: "
                        + "useradd --system --user-group --create-home --home-dir /home/\(RestrictedMode.user) --shell /bin/sh --password '*' \(RestrictedMode.user))\n"), "\(dry)")
                #expect(dry.stdout.contains("\n" + keyLine), "\(dry)")
                #expect(dry.stdout.contains(try Self.template("sudoers.netpol-extend")), "\(dry)")
                #expect(dry.stdout.contains(try Self.template("netpol-extend-host")), "\(dry)")
                #expect(dry.stdout.contains("dry run: nothing was sent"), "\(dry)")
                #expect(try lab.shell(db, "for f in /usr/local/libexec/netpol-extend-host /etc/sudoers.d/netpol-extend /home/\(RestrictedMode.user); do [ ! -e $f ] || echo $f; done").isEmpty)
                #expect(try lab.shell(db, "stat -c '%n %s %Y' \(Self.accountFiles); sha256sum \(Self.accountFiles)") == accounts)

                // Install: over root's access, the account created as printed; verified with the restricted key.
                let first = try await extend(bootstrap + ["--install"])
                #expect(first.status == 0, "\(first)")
                #expect(first.stdout.contains("\(db.name): installed account, entry-point, sudoers, authorized-keys. Verified: a request works and a shell is refused."), "\(first)")
                let account = try lab.shell(db, "getent passwd \(RestrictedMode.user)").split(separator: ":", omittingEmptySubsequences: false)
                #expect(account.count == 7 && account[5] == "/home/\(RestrictedMode.user)" && account[6] == "/bin/sh\n", "\(account)")
                #expect(account.count == 7 && (UInt32(account[2]) ?? 0) > 0 && (UInt32(account[2]) ?? 1000) < 1000, "a system account: \(account)")
                #expect(try lab.shell(db, "getent shadow \(RestrictedMode.user) | cut -d: -f2") == "*\n")
                #expect(try lab.shell(db, "getent group \(RestrictedMode.user) | cut -d: -f3") == account[3] + "\n")
                #expect(try lab.shell(db, "stat -c '%U %a' /home/\(RestrictedMode.user)/.ssh") == "\(RestrictedMode.user) 700\n")
                #expect(try lab.shell(db, "cat /usr/local/libexec/netpol-extend-host") == (try Self.template("netpol-extend-host")))
                #expect(try lab.shell(db, "cat /etc/sudoers.d/netpol-extend") == (try Self.template("sudoers.netpol-extend")))
                #expect(try lab.shell(db, "cat ~\(RestrictedMode.user)/.ssh/authorized_keys") == keyLine)
                let stat = "stat -c '%n %a %U %s %Y' \(Self.installed) \(Self.accountFiles)"
                let files = try lab.shell(db, stat)
                #expect(files.contains("/usr/local/libexec/netpol-extend-host 755 root "), "\(files)")
                #expect(files.contains("/etc/sudoers.d/netpol-extend 440 root "), "\(files)")
                #expect(files.contains("/.ssh/authorized_keys 600 \(RestrictedMode.user) "), "\(files)")

                // Again: nothing changes, and it says so.
                try await Task.sleep(for: .seconds(1))
                let second = try await extend(bootstrap + ["--install"])
                #expect(second.status == 0, "\(second)")
                #expect(second.stdout.contains("\(db.name): already installed; nothing changed. Verified"), "\(second)")
                #expect(try lab.shell(db, stat) == files)

                // The inventory switched to restricted mode: apply, diff, then the host leaves the inventory and is cleaned.
                let inventory = try Self.writeInventory(lab, db, restricted: key, name: "inventory.yaml")
                let input = ["--inventory", inventory, "--manifests", try HostLabBacked.RetiredHosts.writePolicy(lab)]
                let applied = try await extend(["apply", "--rollback-after", "20"] + input)
                #expect(applied.status == 0, "\(applied)")
                #expect(try HostState.read(lab, db).ours.contains("-A INPUT -j NPX-INPUT"))
                #expect(try String(contentsOfFile: inventory + ".state.json", encoding: .utf8).contains("\"mode\": \"restricted\""))
                #expect(try await extend(["diff", "--detailed-exitcode"] + input).status == 0)

                _ = try Self.writeInventory(lab, nil, restricted: key, name: "inventory.yaml")
                let cleaned = try await extend(["apply", "--rollback-after", "20"] + input)
                #expect(cleaned.status == 0, "\(cleaned)")
                #expect(cleaned.stdout.contains("\(db.name)  applied      left the inventory: removed everything of ours (-"), "\(cleaned)")
                #expect(try HostState.read(lab, db).holdsNothingOfOurs)

                // Key rotation as security.md gives it: both keys, then the new one alone; the old key no longer logs in.
                let next = try lab.makeKey(named: "restricted-next", authorize: false)
                let both = try await extend(bootstrap + ["--public-key", next.path + ".pub", "--install"])
                #expect(both.status == 0 && both.stdout.contains("\(db.name): installed authorized-keys. Verified"), "\(both)")
                #expect(try lab.shell(db, "grep -c netpol-extend-host ~\(RestrictedMode.user)/.ssh/authorized_keys") == "2\n")
                let rotated = try await extend(["host-bootstrap", "--inventory", admin, "--public-key", next.path + ".pub", "--install"])
                #expect(rotated.status == 0 && rotated.stdout.contains("\(db.name): installed authorized-keys. Verified"), "\(rotated)")
                let keys = try lab.shell(db, "cat ~\(RestrictedMode.user)/.ssh/authorized_keys")
                #expect(keys.contains(String(next.publicKey.split(separator: " ")[1])) && !keys.contains(String(key.publicKey.split(separator: " ")[1])), "\(keys)")
                _ = try Self.writeInventory(lab, db, restricted: key, name: "inventory.yaml")
                let old = try await extend(["diff"] + input)
                #expect(old.status == 1 && (old.stdout + old.stderr).contains("unreachable"), "the old key is refused: \(old)")
                _ = try Self.writeInventory(lab, db, restricted: next, name: "inventory.yaml")
                #expect(try await extend(["diff", "--detailed-exitcode"] + input).status == 2, "the new key reads the host (changes pending)")
            }
            // This machine's own directories were never written.
            #expect(!FileManager.default.fileExists(atPath: "/usr/local/libexec/netpol-extend-host"))
            #expect(!FileManager.default.fileExists(atPath: "/etc/sudoers.d/netpol-extend"))
            #expect(!FileManager.default.fileExists(atPath: "/home/\(RestrictedMode.user)"))
            #expect(!(try String(contentsOfFile: "/etc/passwd", encoding: .utf8)).contains("\n\(RestrictedMode.user):"))
        }

        @Test("host-bootstrap refuses what it cannot install safely: no public key, a bad --from, an account whose shell cannot run the forced command (nothing changed), an authorized_keys that links to a file of root's (never read or written), a key installed for other addresses (from=; its verification fails)")
        func refusals() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try await Lab.withHosts(count: 1) { lab in
                let db = lab.hosts[0]
                // A bare host (private /etc, /home, /usr/local), should any of these get as far as writing; the account made by hand.
                try await offPool { try lab.makeBare(db, without: RestrictedMode.user) }
                try lab.shell(db, HostBootstrap.addUserCommand(RestrictedMode.user))
                let admin = try Self.writeInventory(lab, db, restricted: nil, name: "admin.yaml")
                let key = try lab.makeKey(named: "restricted", authorize: false)
                let noKey = try await Self.extend(["host-bootstrap", "--inventory", admin], lab)
                #expect(noKey.status == 1 && noKey.stderr.contains("--public-key"), "\(noKey)")
                let badFrom = try await Self.extend(["host-bootstrap", "--inventory", admin, "--public-key", key.path + ".pub", "--from", "10.0.0.0/33"], lab)
                #expect(badFrom.status == 1 && badFrom.stderr.contains("--from 10.0.0.0/33"), "\(badFrom)")
                let privateKey = try await Self.extend(["host-bootstrap", "--inventory", admin, "--public-key", key.path], lab)
                #expect(privateKey.status == 1 && privateKey.stderr.contains("not one OpenSSH public key line"), "\(privateKey)")
                // An account that exists is kept as it is: one whose shell is nologin is refused, not changed.
                try lab.shell(db, "useradd --system --user-group --create-home --home-dir /home/npx-nobody --shell /usr/sbin/nologin npx-nobody")
                let passwd = try lab.shell(db, "sha256sum /etc/passwd /etc/shadow")
                let nologin = try await Self.extend(["host-bootstrap", "--inventory", admin, "--public-key", key.path + ".pub",
                                                      "--restricted-user", "npx-nobody", "--install"], lab)
                #expect(nologin.status == 1, "\(nologin)")
                #expect(nologin.stderr.contains("the login shell of npx-nobody is /usr/sbin/nologin, and sshd runs the forced command through it; give npx-nobody /bin/sh"), "\(nologin)")
                #expect(try lab.shell(db, "[ ! -e /usr/local/libexec/netpol-extend-host ] && [ ! -e /etc/sudoers.d/netpol-extend ] && [ ! -e /home/npx-nobody/.ssh ] && echo clean") == "clean\n")
                #expect(try lab.shell(db, "sha256sum /etc/passwd /etc/shadow") == passwd)

                // The account's authorized_keys is a link to a file only root may read: root neither reads nor writes it.
                let shadow = try lab.shell(db, "stat -c '%U %a %Y' /etc/shadow; sha256sum < /etc/shadow")
                let ssh = "~\(RestrictedMode.user)/.ssh"
                try lab.shell(db, "mkdir \(ssh) && chown \(RestrictedMode.user) \(ssh) && ln -s /etc/shadow \(ssh)/authorized_keys")
                let link = try await Self.extend(["host-bootstrap", "--inventory", admin, "--public-key", key.path + ".pub", "--install"], lab)
                #expect(link.status == 1, "\(link)")
                #expect(link.stderr.contains("\(RestrictedMode.user) cannot read its own "), "\(link)")
                #expect(try lab.shell(db, "stat -c '%U %a %Y' /etc/shadow; sha256sum < /etc/shadow") == shadow)
                #expect(try lab.shell(db, "readlink \(ssh)/authorized_keys") == "/etc/shadow\n")

                // from=: a key installed for other addresses does not log in from this machine's, so the verification fails.
                try lab.shell(db, "rm \(ssh)/authorized_keys")
                let elsewhere = try await Self.extend(["host-bootstrap", "--inventory", admin, "--public-key", key.path + ".pub",
                                                        "--from", "198.19.255.254", "--install"], lab)
                #expect(elsewhere.status == 1, "\(elsewhere)")
                #expect(elsewhere.stdout.contains("from=\"198.19.255.254\",restrict,command="), "\(elsewhere)")
                #expect(try lab.shell(db, "cat \(ssh)/authorized_keys").hasPrefix("from=\"198.19.255.254\",restrict,"))
                #expect(elsewhere.stderr.contains(db.name) && !elsewhere.stdout.contains("Verified"), "\(elsewhere)")
                let login = try await offPool {
                    try Lab.run(["ssh", "-F", "/dev/null", "-i", key.path, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                                 "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=\(lab.knownHostsPath)", "-o", "ConnectTimeout=5",
                                 "-p", String(db.port), "\(RestrictedMode.user)@\(db.address)", "version"])
                }
                #expect(login.status == 255 && login.stderrText.contains("Permission denied"), "\(login.status) \(login.stderrText)")
            }
        }
    }
}
