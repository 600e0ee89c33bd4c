import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// `ssh.sudo: true` for real: a non-root account whose only right is the
    /// shipped sudoers drop-in (templates/host/sudoers.netpol-extend-shell), and what a
    /// user is told when that account has no sudo, or no sudoers entry.
    @Suite("Sudo on a non-root account")
    struct Sudo {
        static let account = "netpol-extend"

        /// The drop-in the project ships, read from the repository at test
        /// time, so that this suite proves that file works.
        static func shippedSudoers() throws -> String {
            try String(contentsOfFile: packageRoot + "/templates/host/sudoers.netpol-extend-shell", encoding: .utf8)
        }

        /// The database admits the api on 5432 and nothing else.
        static let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                                         ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)])])]

        /// The database's agent, logging in as the lab account, with or without sudo.
        static func agent(_ lab: Lab, sudo: Bool) throws -> HostAgent {
            let hosts = [lab.legacyHost(lab.hosts[0], labels: ["role": "db"]), lab.legacyHost(lab.hosts[1], labels: ["role": "api"])]
            var agent = try lab.agents(hosts, policies: policies)[0]
            agent.endpoint.user = account
            agent.options.sudo = sudo
            return agent
        }

        /// Every file the product keeps on the host, with size and times.
        static func footprint(_ lab: Lab, _ host: LabHost) throws -> String {
            try lab.shell(host, "find /var/lib/netpol-extend /run/netpol-extend -printf '%p %y %s %T@ %C@\\n' | sort")
        }

        @Test("with the shipped sudoers drop-in and sudo: true, a non-root account applies the rules, they are enforced, and diff is in sync")
        func appliesThroughSudo() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let db = lab.hosts[0], api = lab.hosts[1]
                try lab.addAccount(Self.account, sudoers: try Self.shippedSudoers(), on: db)
                // The account really is not root, and logs in with the lab's key.
                let whoami = try await SSHTransport.withConnection(lab.endpoint(db, user: Self.account)) { c in try c.run("id -u; id -un") }
                #expect(whoami.stdoutText.split(separator: "\n").first != "0", "\(whoami.stdoutText)")
                #expect(whoami.stdoutText.hasSuffix("\(Self.account)\n"), "\(whoami.stdoutText)")

                let listeners = try Listeners(in: [db.netns], ports: [5432, 8080], logDirectory: lab.directory)
                defer { listeners.stop() }
                #expect(try lab.canConnect(from: api, to: db.address, port: 8080), "before the rules, 8080 is open")

                let agent = try Self.agent(lab, sudo: true)
                let report = try await agent.applyOffPool()
                #expect(report.status == .applied, "\(report.message)\nsshd log:\n\(lab.sshdLogTail(db))")
                let state = try HostState.read(lab, db)
                #expect(state.ours.contains("-A INPUT -j NPX-INPUT"), "\(state)")
                #expect(state.ours.contains("create npx-"), "\(state)")

                #expect(try lab.canConnect(from: api, to: db.address, port: 5432), "the api is admitted on 5432")
                #expect(!(try lab.canConnect(from: api, to: db.address, port: 8080)), "8080 is not admitted")

                let diff = try await agent.diffOffPool()
                #expect(diff.status == .inSync, "\(diff.message)\n\(diff.diff)")
                #expect(try HostState.read(lab, db) == state)
            }
        }

        @Test("the same account with sudo: false: an error naming the host that says it needs root or sudo; the host is unchanged")
        func withoutSudoIsRefused() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let db = lab.hosts[0]
                let account = try lab.addAccount(Self.account, sudoers: try Self.shippedSudoers(), on: db)
                let before = try HostState.read(lab, db), files = try Self.footprint(lab, db)

                let agent = try Self.agent(lab, sudo: false)
                for report in [try await agent.applyOffPool(), try await agent.diffOffPool()] {
                    #expect(report.status == .error)
                    // The tools alone say only "Kernel error received: Operation not permitted" (ipset).
                    #expect(report.message.hasPrefix("\(agent.endpoint.label): reading the rules failed (exit 44): "), "\(report.message)")
                    #expect(report.message.contains("the firewall tools need root and this session runs as \(Self.account) (uid \(account.uid))"),
                            "\(report.message)")
                    #expect(report.message.hasSuffix("log in as root, or set ssh.sudo: true with the sudoers rule of templates/host/sudoers.netpol-extend-shell"),
                            "\(report.message)")
                }
                #expect(try HostState.read(lab, db) == before)
                #expect(try Self.footprint(lab, db) == files)
            }
        }

        @Test("sudo: true for an account that sudoers does not name: an error naming the host with sudo's reason; the host is unchanged")
        func notInSudoersIsRefused() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let db = lab.hosts[0]
                try lab.addAccount(Self.account, sudoers: "", on: db)
                let before = try HostState.read(lab, db), files = try Self.footprint(lab, db)

                let agent = try Self.agent(lab, sudo: true)
                for report in [try await agent.applyOffPool(), try await agent.diffOffPool()] {
                    #expect(report.status == .error)
                    #expect(report.message == "\(agent.endpoint.label): reading the rules failed (exit 1): sudo: a password is required; "
                            + "sudo -n did not run the host script as root for \(Self.account): the account needs a NOPASSWD rule for /bin/sh -c *, as in templates/host/sudoers.netpol-extend-shell")
                }
                #expect(try HostState.read(lab, db) == before)
                #expect(try Self.footprint(lab, db) == files)
            }
        }
    }
}
