import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// Where an apply is confirmed. A change of set members alone, on a host
    /// whose entry point holds the lockout guard (restricted mode), is
    /// confirmed over the connection it was loaded on: the guard already
    /// refused any load whose chains would not admit this connection's SSH
    /// first, and members cannot change that. Any other change, and every
    /// change in shell mode (no guard), is confirmed over a fresh connection,
    /// which proves the new rules admit one.
    @Suite("Where an apply is confirmed")
    struct MemberConfirmation {
        /// The database admits `role: api` on 5432 (or `port`): the api hosts are one set's members.
        static func policies(port: Int = 5432) -> [NetworkPolicy] {
            [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                       ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(port)])])]
        }

        /// The database's agent: `b` in the peer or not, the policy's port.
        static func agent(_ lab: Lab, bRole: String, port: Int = 5432, restricted key: LabKey?) throws -> HostAgent {
            let (db, a, b) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
            let hosts = [lab.legacyHost(db, labels: ["role": "db"]), lab.legacyHost(a, labels: ["role": "api"]),
                         lab.legacyHost(b, labels: ["role": bRole])]
            var agent = try lab.agents(hosts, policies: policies(port: port))[0]
            if let key {
                agent.endpoint = lab.endpoint(db, key: key, user: RestrictedMode.user)
                agent.options.mode = .restricted
            }
            return agent
        }

        /// `apply(over:)` off the shared pool.
        static func apply(_ agent: HostAgent, over open: SSHConnection?) async throws -> KeptConnectionRun {
            try await SSHTransport.offload(name: "apply \(agent.endpoint.name)") { agent.apply(over: open) }
        }

        /// The run was confirmed: applied, no rollback left pending or run.
        static func confirmed(_ run: KeptConnectionRun, _ lab: Lab, _ db: LabHost) throws {
            #expect(run.report.status == .applied, "\(run.report.message)")
            #expect(try lab.rollbacks(in: db).isEmpty, "the pending rollback was cancelled")
            #expect(try lab.shell(db, "cat /var/lib/netpol-extend/rollback.log 2>/dev/null || true").isEmpty, "no rollback ran")
        }

        @Test("restricted mode: a change of set members alone is confirmed over the connection it was loaded on (no new connection); a change of rules over a fresh one")
        func restricted() async throws {
            try await Lab.withHosts(count: 3) { lab in
                let (db, b) = (lab.hosts[0], lab.hosts[2])
                let key = try await offPool { try lab.restrict(db) }.key
                let listeners = try Listeners(in: [db.netns], ports: [5432, 5433], logDirectory: lab.directory)
                defer { listeners.stop() }
                typealias Kept = ControllerKeptConnections

                // The first apply creates sets and chains: confirmed over a fresh connection.
                let first = try Self.agent(lab, bRole: "web", restricted: key)
                let r1 = try await Self.apply(first, over: nil)
                try Self.confirmed(r1, lab, db)
                #expect(r1.opened == 2, "the first session's connection and the confirmation's: \(r1.opened)")
                let kept1 = try #require(r1.keep)
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))

                // b joins the peer: one set entry more, nothing else. No new connection at all.
                let second = try Self.agent(lab, bRole: "api", restricted: key)
                let d = try await second.diffOffPool()
                #expect(d.added == 1 && d.removed == 0 && d.diff.contains("+add "), "one set entry more:\n\(d.diff)")
                let accepted = try Kept.accepted(db)
                let r2 = try await Self.apply(second, over: kept1)
                try Self.confirmed(r2, lab, db)
                #expect(r2.reused && r2.opened == 0, "reused \(r2.reused), opened \(r2.opened)")
                #expect(r2.report.message.contains("over the open connection"), "\(r2.report.message)")
                #expect(try Kept.accepted(db) == accepted, "sshd accepted no new connection")
                #expect(try lab.canConnect(from: b, to: db.address, port: 5432), "b is admitted")
                let kept2 = try #require(r2.keep)

                // The policy's port changes: its rules change, so a fresh connection confirms.
                let third = try Self.agent(lab, bRole: "api", port: 5433, restricted: key)
                let r3 = try await Self.apply(third, over: kept2)
                try Self.confirmed(r3, lab, db)
                #expect(r3.reused && r3.opened == 1, "reused \(r3.reused), opened \(r3.opened)")
                #expect(try Kept.accepted(db) == accepted + 1, "sshd accepted the confirmation's connection")
                #expect(try lab.canConnect(from: b, to: db.address, port: 5433))
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))
                r3.keep?.close()
                #expect(try await third.diffOffPool().status == .inSync)
            }
        }

        @Test("shell mode (no lockout guard on the host): a change of set members alone is still confirmed over a fresh connection")
        func shell() async throws {
            try await Lab.withHosts(count: 3) { lab in
                let db = lab.hosts[0]
                let r1 = try await Self.apply(try Self.agent(lab, bRole: "web", restricted: nil), over: nil)
                try Self.confirmed(r1, lab, db)
                let second = try Self.agent(lab, bRole: "api", restricted: nil)
                let d = try await second.diffOffPool()
                #expect(d.added == 1 && d.removed == 0 && d.diff.contains("+add "), "one set entry more:\n\(d.diff)")
                let accepted = try ControllerKeptConnections.accepted(db)
                let r2 = try await Self.apply(second, over: try #require(r1.keep))
                try Self.confirmed(r2, lab, db)
                #expect(r2.reused && r2.opened == 1, "reused \(r2.reused), opened \(r2.opened)")
                #expect(try ControllerKeptConnections.accepted(db) == accepted + 1, "sshd accepted the confirmation's connection")
                r2.keep?.close()
            }
        }
    }
}

