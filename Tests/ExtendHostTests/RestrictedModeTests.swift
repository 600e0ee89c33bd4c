import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension Lab {
    /// Puts `host` in ssh.mode: restricted as `extend host-bootstrap
    /// --install` does (the same library call, over the lab's root key): a
    /// non-root account of the lab's (`addAccount`, installable), a key of its
    /// own authorized only in that account's authorized_keys, restricted to
    /// the entry point and to this machine's address. Returns the key and
    /// what the install changed.
    /// Blocking (sshd restarts, SSH): call it off the shared pool.
    func restrict(_ host: LabHost, user: String = RestrictedMode.user) throws -> (key: LabKey, changed: [String]) {
        try addAccount(user, sudoers: "", installable: true, on: host)
        let key = try makeKey(named: "restricted-\(host.index)", authorize: false)
        guard let line = HostBootstrap.authorizedKey(key.publicKey, from: [managementCIDR]) else {
            throw LabError("ssh-keygen made no public key line: \(key.publicKey)")
        }
        let changed = try HostBootstrap(user: user, authorizedKeys: [line])
            .install(over: endpoint(host), sudo: false, verifyingAs: endpoint(host, key: key, user: user))
        return (key, changed)
    }
}

/// The restricted account's name in these tests.
enum RestrictedMode {
    static let user = "netpol-extend"
}

extension HostLabBacked {
    /// ssh.mode: restricted for real: the key logs in as a non-root account,
    /// sshd forces the entry point, which goes through sudo by itself.
    @Suite("Restricted mode: the key runs the entry point and nothing else")
    struct Restricted {
        /// The database admits the api on 5432 and nothing else.
        static let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                                         ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])])]

        /// The database's agent in restricted mode, with the restricted key.
        static func agent(_ lab: Lab, key: LabKey, options: HostAgent.Options = .lab) throws -> HostAgent {
            let hosts = [lab.legacyHost(lab.hosts[0], labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
            var agent = try lab.agents(hosts, policies: policies, options: options)[0]
            agent.endpoint = lab.endpoint(lab.hosts[0], key: key, user: RestrictedMode.user)
            agent.options.mode = .restricted
            return agent
        }

        /// `ssh` (OpenSSH's client) to `host` with the restricted key alone: no
        /// config, no agent, the lab's known_hosts; stdin empty.
        static func openSSH(_ lab: Lab, _ host: LabHost, _ key: LabKey, _ options: [String], _ command: [String]) throws -> LabCommandResult {
            try Lab.run(["ssh", "-F", "/dev/null", "-i", key.path, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                         "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(lab.knownHostsPath)",
                         "-o", "ConnectTimeout=5", "-p", String(host.port)] + options + ["\(RestrictedMode.user)@\(host.address)"] + command)
        }

        /// A two-host lab whose database (hosts[0]) is in restricted mode: `body` gets the lab, the database and the restricted key.
        static func withRestrictedDatabase(_ body: (Lab, LabHost, LabKey) async throws -> Void) async throws {
            try await Lab.withHosts(count: 2) { lab in
                let db = lab.hosts[0]
                let (key, changed) = try await offPool { try lab.restrict(db) }
                #expect(changed == ["entry-point", "sudoers", "authorized-keys"])
                try await body(lab, db, key)
            }
        }

        /// Every file the product keeps on the host (its private state
        /// directories), with size and time; directories by name (a forged
        /// apply makes and removes its scratch directory in one of them).
        static func footprint(_ lab: Lab, _ host: LabHost) throws -> String {
            try lab.shell(host, "find /var/lib/netpol-extend /run/netpol-extend \\( -type d -printf '%p\\n' \\) -o -printf '%p %y %s %T@\\n' | sort")
        }

        @Test("apply (persisted), diff and removal of everything of ours all go through the entry point, as a non-root account through sudo without a tty; traffic follows")
        func requestsEndToEnd() async throws {
            // The persist script installs a unit wherever /run/systemd/system exists, and lab
            // hosts share this machine's /etc: persisted rules are part of the test only without systemd.
            let persists = !FileManager.default.fileExists(atPath: "/run/systemd/system")
            try await Self.withRestrictedDatabase { lab, db, key in
                let api = lab.hosts[1]
                let keys = try lab.shell(db, "cat ~\(RestrictedMode.user)/.ssh/authorized_keys")
                #expect(keys == "from=\"\(lab.managementAddress)\",restrict,command=\"/usr/local/libexec/netpol-extend-host\" "
                        + key.publicKey.split(separator: " ").prefix(2).joined(separator: " ") + " netpol-extend\n")
                #expect(try lab.shell(db, "id -u \(RestrictedMode.user)") != "0\n")

                let listeners = try Listeners(in: [db.netns], ports: [5432, 8080], logDirectory: lab.directory)
                defer { listeners.stop() }
                #expect(try lab.canConnect(from: api, to: db.address, port: 8080), "before the rules, 8080 is open")

                var options = HostAgent.Options.lab
                options.persist = persists
                let agent = try Self.agent(lab, key: key, options: options)
                let applied = try await agent.applyOffPool()
                #expect(applied.status == .applied, "\(applied.message)\nsshd log:\n\(lab.sshdLogTail(db))")
                let state = try HostState.read(lab, db)
                #expect(state.ours.contains("-A INPUT -j NPX-INPUT"), "\(state)")
                #expect(try lab.canConnect(from: api, to: db.address, port: 5432), "the api is admitted on 5432")
                #expect(!(try lab.canConnect(from: api, to: db.address, port: 8080)), "8080 is not admitted")
                if persists {
                    #expect(try lab.shell(db, "ls /var/lib/netpol-extend/persist") == "ip6tables\nipset\niptables\n")
                }
                #expect(try lab.shell(db, "cat /var/lib/netpol-extend/rollback.log 2>/dev/null || true").isEmpty,
                        "the apply was confirmed: no rollback ran")

                let diff = try await agent.diffOffPool()
                #expect(diff.status == .inSync, "\(diff.message)\n\(diff.diff)")
                #expect(try HostState.read(lab, db) == state)

                // Removal (what a retired host or a host no policy selects gets): the apply of nothing.
                var remove = agent
                remove.desired = .nothing(host: db.name)
                remove.options.persist = false
                let removed = try await remove.applyOffPool()
                #expect(removed.status == .applied, "\(removed.message)")
                #expect(try HostState.read(lab, db).holdsNothingOfOurs)
                if persists {
                    #expect(try lab.shell(db, "ls -A /var/lib/netpol-extend/persist").isEmpty)
                }
                #expect(try lab.canConnect(from: api, to: db.address, port: 8080), "without our rules 8080 is open again")
                #expect(try await remove.diffOffPool().status == .inSync)
            }
        }

        @Test("an apply that is never confirmed is rolled back by the host, in restricted mode too")
        func rollbackFires() async throws {
            try await Self.withRestrictedDatabase { lab, db, key in
                let before = try HostState.read(lab, db)
                var options = HostAgent.Options.shortRollback
                options.skipConfirmation = true
                let report = try await Self.agent(lab, key: key, options: options).applyOffPool()
                #expect(report.status == .error, "\(report.message)")
                #expect(report.message.contains("restores its previous rules by itself within 3 s"), "\(report.message)")
                let back = try await poll(timeout: .seconds(20)) { try HostState.read(lab, db) == before }
                let now = try HostState.read(lab, db)
                #expect(back, "the host still holds: \(now)")
                #expect(try lab.shell(db, "cat /var/lib/netpol-extend/rollback.log").contains("rolled back an unconfirmed apply, status 0"))
            }
        }

        /// What must be refused as a command line: shells, other programs,
        /// request words with anything injected, unknown words, huge input.
        static let refusedCommands = [
            "id", "sh -c 'ipset create pwned hash:ip'", "observe; ipset create pwned hash:ip",
            "observe $(ipset create pwned hash:ip)", "observe `ipset create pwned hash:ip`", "observe\nipset create pwned hash:ip",
            "session && ipset create pwned hash:ip", "observe | ipset create pwned hash:ip", "observe ", " observe", "OBSERVE",
            "/usr/local/libexec/netpol-extend-host observe", "remove-everything", "observe" + String(repeating: "A", count: 20_000),
            "version; ipset create pwned hash:ip", "version $(ipset create pwned hash:ip)", "version\nipset create pwned hash:ip", "version ",
            "counters; ipset create pwned hash:ip", "counters-reset $(ipset create pwned hash:ip)", "counters reset", "counters-reset -Z",
            "counters-reset\nipset create pwned hash:ip", "counters ", "COUNTERS",
        ]

        /// What must be refused on stdin after a session's observation.
        static let refusedRequests: [(input: String, status: Int32, says: String)] = {
            let hex = String(repeating: "0123456789abcdef", count: 4)
            func apply(_ sections: String) -> String {
                "apply\n#npx expect\n\(hex)\n#npx token\n\(hex)\n#npx timeout\n5\n" + sections + "#npx end\n"
            }
            return [
                ("apply\n#npx ../../../../tmp/pwned\nx\n#npx end\n", 58, "has a section this host does not take"),
                ("apply\n#npx rollback-run\nipset create pwned hash:ip\n#npx end\n", 58, "has a section this host does not take"),
                (apply("#npx iptables\n*filter\n-I INPUT 1 -j DROP\nCOMMIT\n"), 58, "touches what is not ours (in its iptables)"),
                (apply("#npx ipset\ncreate pwned hash:ip\n"), 58, "touches what is not ours (in its ipset)"),
                (apply("#npx rollback-iptables\n*filter\n-F INPUT\nCOMMIT\n"), 58, "touches what is not ours (in its rollback-iptables)"),
                (apply("#npx destroy\nforeign\n"), 58, "touches what is not ours (in its destroy)"),
                (apply("#npx ipset\ncreate npx-0123 hash:ip\n#npx ipset\ncreate npx-0123 hash:ip\n"), 58, "has a section this host does not take"),
                ("apply\n#npx expect\n\(hex)\n#npx token\n$(ipset create pwned hash:ip)\n#npx timeout\n5\n#npx end\n", 58, "has no valid token"),
                ("apply\n#npx expect\n\(hex)\n#npx token\n\(hex)\n#npx timeout\n99999\n#npx end\n", 58, "has no valid timeout"),
                ("apply\n#npx expect\n\(hex)\n#npx token\n\(hex)\n#npx timeout\n5\n5\n#npx end\n", 58, "has no valid timeout"),
                ("confirm $(ipset create pwned hash:ip)\n", 58, "the confirmation names no rollback of ours"),
                ("rm -rf /\n", 57, "unknown request from the client"),
            ]
        }()

        @Test("a shell, another command, an injected request word, an unknown word or a forged request is refused and changes nothing")
        func refusals() async throws {
            try await Self.withRestrictedDatabase { lab, db, key in
                // Rules of ours in place, so that a forged request has something to spoil.
                let applied = try await Self.agent(lab, key: key).applyOffPool()
                #expect(applied.status == .applied, "\(applied.message)")
                let before = try HostState.read(lab, db), files = try Self.footprint(lab, db)

                try await SSHTransport.withConnection(lab.endpoint(db, key: key, user: RestrictedMode.user)) { c in
                    for command in Self.refusedCommands {
                        let r = try c.run(command)
                        #expect(r.exitStatus == 59, "\(command.prefix(60)): exit \(r.exitStatus) \(r.stderr)")
                        #expect(r.stderr.hasPrefix("netpol-extend-host: refused: this key runs only netpol-extend's requests (observe, session, counters, counters-reset, version)"),
                                "\(command.prefix(60)): \(r.stderr)")
                        #expect(r.stdout.isEmpty, "\(command.prefix(60)): \(r.stdoutText)")
                    }
                    for request in Self.refusedRequests {
                        let r = try c.run("session", stdin: Array(request.input.utf8))
                        #expect(r.exitStatus == request.status, "\(request.input.prefix(80)): exit \(r.exitStatus) \(r.stderr)")
                        #expect(r.stderr.contains(request.says) && r.stderr.contains("nothing was changed"),
                                "\(request.input.prefix(80)): \(r.stderr)")
                        #expect(r.stdoutText.hasSuffix("#npx end\n"), "only the observation was printed: \(r.stdoutText.suffix(200))")
                    }
                }
                // The same with OpenSSH's own client: a command, a login without one, a pty (refused by `restrict`).
                for (options, command) in [([], ["id"]), ([], ["sh", "-c", "'ipset create pwned hash:ip'"]), (["-T"], [])] {
                    let r = try await offPool { try Self.openSSH(lab, db, key, options, command) }
                    #expect(r.status == 59, "ssh \(options) \(command): \(r.status) \(r.stderrText)")
                    #expect(r.stderrText.contains("netpol-extend-host: refused: "), "ssh \(options) \(command): \(r.stderrText)")
                }
                let pty = try await offPool { try Self.openSSH(lab, db, key, ["-tt"], ["id"]) }
                #expect(pty.status != 0 && pty.stderrText.contains("PTY allocation request failed"), "\(pty.status) \(pty.stderrText)")
                #expect(try HostState.read(lab, db) == before)
                #expect(!(try lab.shell(db, "ipset list -n")).contains("pwned"))
                #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
                #expect(try Self.footprint(lab, db) == files)
                #expect(try await Self.agent(lab, key: key).diffOffPool().status == .inSync)
            }
        }

        @Test("restricted mode against a host set up wrong: a key that gets a shell, or an account sudo does not let through, is an error naming the host and the fix; the host is unchanged")
        func misconfigured() async throws {
            try await Self.withRestrictedDatabase { lab, db, key in
                let before = try HostState.read(lab, db)

                var unrestricted = try Self.agent(lab, key: key)
                unrestricted.endpoint = lab.endpoint(db)
                let shell = try await unrestricted.diffOffPool()
                #expect(shell.status == .error)
                #expect(shell.message.hasPrefix("\(unrestricted.endpoint.label): checking the entry point's version failed (exit 127): "), "\(shell.message)")
                #expect(shell.message.hasSuffix("; ssh.mode is restricted but this key's login ran a shell, not /usr/local/libexec/netpol-extend-host: install the restricted key with extend host-bootstrap"),
                        "\(shell.message)")

                let agent = try Self.agent(lab, key: key)
                try lab.shell(db, "rm /etc/sudoers.d/netpol-extend")
                for report in [try await agent.diffOffPool(), try await agent.applyOffPool()] {
                    #expect(report.status == .error)
                    #expect(report.message == "\(agent.endpoint.label): reading the rules failed (exit 1): sudo: a password is required; "
                            + "sudo -n did not run /usr/local/libexec/netpol-extend-host as root for \(RestrictedMode.user): the account needs the sudoers drop-in that extend host-bootstrap prints (templates/host/sudoers.netpol-extend)",
                            "\(report.message)")
                }
                #expect(try HostState.read(lab, db) == before)
            }
        }

        @Test("an entry point that is not this extend's (one from before `version`, or another version) stops diff and apply before anything is read or changed, naming the host and the fix", arguments: [
            ("/^version) /d", "is older than this extend (it does not answer version)"),
            ("s/^version) echo \"netpol-extend-host version [0-9a-f]*\"/version) echo \"netpol-extend-host version 0123456789abcdef\"/", "is version 0123456789abcdef, and this extend speaks "),
        ])
        func outdatedEntryPoint(_ edit: String, _ says: String) async throws {
            try await Self.withRestrictedDatabase { lab, db, key in
                // Rules of ours in place, then the policy changes: an apply would have something to do.
                let agent = try Self.agent(lab, key: key)
                #expect(try await agent.applyOffPool().status == .applied)
                let before = try HostState.read(lab, db), files = try Self.footprint(lab, db)
                let entry = "/usr/local/libexec/netpol-extend-host"
                let original = try lab.shell(db, "cat \(entry)")
                try lab.shell(db, "sed -i '\(edit)' \(entry)")
                #expect(try lab.shell(db, "cat \(entry)") != original, "the edit changed the entry point")
                var changed = agent
                changed.desired = .nothing(host: db.name)
                for report in [try await changed.diffOffPool(), try await changed.applyOffPool()] {
                    #expect(report.status == .error)
                    #expect(report.message == "\(agent.endpoint.label): the entry point on this host (\(entry)) \(says)"
                            + (says.hasSuffix("speaks ") ? "" : ", which speaks ") + HostBootstrap.entryPointVersion
                            + "; nothing was read or changed: install this extend's with extend host-bootstrap --install --host \(db.name) (with the inventory of the privileged access)",
                            "\(report.message)")
                }
                #expect(try HostState.read(lab, db) == before)
                #expect(try Self.footprint(lab, db) == files)
            }
        }

        /// A bundle of the right form (any digest, token and delay pass the
        /// checks that come before the guard) with these sections.
        static func forged(_ sections: String) -> [UInt8] {
            let hex = String(repeating: "0123456789abcdef", count: 4)
            return Array("apply\n#npx expect\n\(hex)\n#npx token\n\(hex)\n#npx timeout\n5\n\(sections)#npx end\n".utf8)
        }

        @Test("the entry point refuses a load, a rollback or persisted rules that would not admit its own connection's SSH first: nothing is loaded; a guard that admits it loads")
        func lockoutGuard() async throws {
            try await Self.withRestrictedDatabase { lab, db, key in
                // Rules of ours in place (guard for this machine's address).
                let agent = try Self.agent(lab, key: key)
                #expect(try await agent.applyOffPool().status == .applied)
                let before = try HostState.read(lab, db), files = try Self.footprint(lab, db)
                let me = lab.managementAddress

                // extend itself, with a host whose guard is some other address and no extra guard: refused.
                var hosts = [lab.legacyHost(lab.hosts[0], labels: ["role": "db"], management: [CIDR("198.19.255.254/32")!]),
                             lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
                var elsewhere = agent
                elsewhere.desired = try lab.agents(hosts, policies: Self.policies)[0].desired
                #expect(!(RenderedHost(elsewhere.desired).iptables[.inet] ?? "").contains("-s \(me)/32"))
                let refused = try await elsewhere.applyOffPool()
                #expect(refused.status == .error)
                #expect(refused.message.contains("(exit 58): netpol-extend: refused: the request would cut this connection (SSH from \(me) to port \(db.port)) off: chain NPX-INPUT must admit it before anything else of ours (the lockout guard: list the address under the host management sources); nothing was changed"),
                        "\(refused.message)")
                #expect(try HostState.read(lab, db) == before)

                let drop = "*filter\n:NPX-INPUT - [0:0]\n-A NPX-INPUT -j DROP\n-I INPUT 1 -j NPX-INPUT\nCOMMIT\n"
                let guarded = "*filter\n:NPX-INPUT - [0:0]\n-A NPX-INPUT -s \(me)/32 -p tcp -m tcp --dport \(db.port) -j ACCEPT\n-A NPX-INPUT -j DROP\nCOMMIT\n"
                try await SSHTransport.withConnection(lab.endpoint(db, key: key, user: RestrictedMode.user)) { c in
                    for (input, says) in [
                        (Self.forged("#npx iptables\n" + drop), "chain NPX-INPUT"),
                        (Self.forged("#npx iptables\n" + guarded + "#npx rollback-iptables\n" + drop), "the rollback: chain NPX-INPUT"),
                        (Array("persist\n#npx mode\non\n#npx ipset\n#npx iptables\n\(drop)#npx ip6tables\n#npx end\n".utf8), "chain NPX-INPUT"),
                    ] {
                        let r = try c.run("session", stdin: input)
                        #expect(r.exitStatus == 58, "\(says): exit \(r.exitStatus) \(r.stderr)")
                        #expect(r.stderr.contains("refused: the request would cut this connection (SSH from \(me) to port \(db.port)) off: \(says) must admit it"),
                                "\(says): \(r.stderr)")
                    }
                }
                #expect(try HostState.read(lab, db) == before)
                #expect(try Self.footprint(lab, db) == files)

                // A guard given as a prefix holding this machine's address loads.
                hosts[0].management = [CIDR("198.18.0.0/15")!]
                var wide = agent
                wide.desired = try lab.agents(hosts, policies: Self.policies)[0].desired
                let applied = try await wide.applyOffPool()
                #expect(applied.status == .applied, "\(applied.message)")
                #expect(try HostState.read(lab, db).ours.contains("-A NPX-INPUT -s 198.18.0.0/15 -p tcp -m tcp --dport \(db.port) -j ACCEPT"))
            }
        }
    }
}
