import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeSupport
import LabSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension HostLabBacked {
    /// `extend controller` keeps each host's SSH connection open between its
    /// runs: counted by the host's own sshd (its VERBOSE log has one "Accepted
    /// publickey" per connection) and by the controller's /metrics.
    @Suite("The controller keeps each host's SSH connection open between runs")
    struct ControllerKeptConnections {
        typealias Lab_ = ControllerLab

        /// New connections the host's sshd accepted so far.
        static func accepted(_ host: LabHost) throws -> Int {
            try String(contentsOfFile: host.sshdLogPath, encoding: .utf8).split(whereSeparator: \.isNewline)
                .count { $0.contains("Accepted publickey for ") }
        }

        /// Goodbyes the host's sshd received from the controller (`SSHConnection.close`).
        static func goodbyes(_ host: LabHost) throws -> Int {
            try String(contentsOfFile: host.sshdLogPath, encoding: .utf8).split(whereSeparator: \.isNewline)
                .count { $0.contains("Received disconnect from ") && $0.contains("netpol-extend is done") }
        }

        /// One sample of the controller's /metrics, by its line's name and labels (0 when absent).
        static func metric(_ port: Int, _ name: String) async -> Double {
            guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"),
                  let (data, _) = try? await URLSession.shared.data(from: url) else { return -1 }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.split(separator: " ").last ?? "") ?? -1
            }
            return 0
        }

        /// The processes that serve the open SSH connections of the host's sshd (its children).
        static func connectionProcesses(_ lab: Lab, _ host: LabHost) throws -> [Int32] {
            let listener = try #require(lab.sshdPID(of: host))
            return ProcessTree.read().descendants(of: listener).filter { $0.arguments.first?.hasPrefix("sshd:") == true }.map(\.pid)
        }

        /// Open SSH connections of the host's sshd: its direct children, one per connection.
        static func openConnections(_ lab: Lab, _ host: LabHost) throws -> Int {
            let listener = try #require(lab.sshdPID(of: host))
            return ProcessTree.read().entries.values.count { $0.parent == listener }
        }

        /// Polls an async condition (a /metrics read) until it holds, up to `timeout`.
        static func eventually(_ timeout: Duration, _ condition: () async -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return await condition()
        }

        static func stop(_ controller: Process) async throws {
            kill(controller.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(30)
            while controller.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        }

        @Test("consecutive runs reuse one connection: a change costs only the confirmation's, a resync none; SIGTERM says goodbye to sshd")
        func reuse() async throws {
            try await Lab_.withControllerLab(extra: ["--resync", "3"]) { s in
                let (lab, api, db, b) = (s.lab, s.api, s.db, s.b)
                #expect(await Lab_.ready(s.log), "/readyz:\n\(s.log())")
                let port = try #require(Lab_.listeningPort(s.log()))
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))
                #expect(try await Lab_.eventually { try Self.openConnections(lab, db) == 1 }, "a connection is kept open")
                let start = try Self.accepted(db)

                // Three changes, each waited for: each run reads and loads over the kept
                // connection and confirms over one fresh connection (two without the cache).
                for (i, app) in ["api", "web", "api"].enumerated() {
                    try api.mergePatch("/api/v1/namespaces/apps/pods/web-b", ["metadata": ["labels": ["app": app]]])
                    #expect(try await Lab_.eventually { try lab.canConnect(from: b, to: db.address, port: 5432) == (app == "api") },
                            "change \(i + 1) in place:\n\(s.log())")
                    #expect(try await Lab_.eventually { try lab.rollbacks(in: db).isEmpty }, "change \(i + 1) confirmed")
                }
                #expect(try await Lab_.eventually { try Self.accepted(db) - start >= 3 })
                let afterChanges = try Self.accepted(db)
                #expect(afterChanges - start == 3, "3 changed runs: \(afterChanges - start) new connection(s)")

                // Resyncs (every 3 s) read the host over the kept connection: runs, no new connection.
                let reusedBefore = await Self.metric(port, #"netpol_extend_ssh_connections_total{kind="reused"}"#)
                #expect(reusedBefore >= 3, "the changed runs reused the kept connection")
                #expect(await Self.eventually(.seconds(30)) {
                    await Self.metric(port, #"netpol_extend_ssh_connections_total{kind="reused"}"#) >= reusedBefore + 2
                }, "resync runs reuse it:\n\(s.log())")
                try await Task.sleep(for: .milliseconds(300))
                #expect(try Self.accepted(db) == afterChanges, "resyncs opened no connection")
                #expect(try Self.openConnections(lab, db) == 1, "one kept connection")
                #expect(await Self.metric(port, #"netpol_extend_ssh_connections_closed_total{reason="failed"}"#) == 0)

                // SIGTERM: the kept connection is closed with a goodbye, then the process exits 0.
                let goodbyes = try Self.goodbyes(db)
                try await Self.stop(s.controller)
                #expect(!s.controller.isRunning && s.controller.terminationStatus == 0, "\(s.log())")
                #expect(s.log().contains("closing 1 kept SSH connection(s)"), "\(s.log())")
                #expect(try await Lab_.eventually(.seconds(5)) { try Self.goodbyes(db) == goodbyes + 1 }, "sshd got our goodbye")
                #expect(try await Lab_.eventually(.seconds(5)) { try Self.openConnections(lab, db) == 0 },
                        "no session left on the host")
                #expect(!s.log().contains("error"), "\(s.log())")
            }
        }

        @Test("a kept connection killed on the host: the next run connects again and succeeds; a changed host key is then refused")
        func reconnects() async throws {
            try await Lab_.withControllerLab(extra: []) { s in
                let (lab, api, db, b) = (s.lab, s.api, s.db, s.b)
                #expect(await Lab_.ready(s.log), "/readyz:\n\(s.log())")
                let port = try #require(Lab_.listeningPort(s.log()))
                #expect(try await Lab_.eventually { try Self.connectionProcesses(lab, db).count >= 1 }, "a connection is kept open")

                // The host drops it (its sshd processes for it are killed): the controller does not know yet.
                for pid in try Self.connectionProcesses(lab, db) { kill(pid, SIGKILL) }
                #expect(try await Lab_.eventually { try Self.connectionProcesses(lab, db).isEmpty })
                try api.mergePatch("/api/v1/namespaces/apps/pods/web-b", ["metadata": ["labels": ["app": "api"]]])
                #expect(try await Lab_.eventually { try lab.canConnect(from: b, to: db.address, port: 5432) },
                        "the change is in place over a fresh connection:\n\(s.log())")
                #expect(try await Lab_.eventually { try lab.rollbacks(in: db).isEmpty }, "and confirmed")
                #expect(await Self.metric(port, #"netpol_extend_ssh_connections_closed_total{reason="failed"}"#) == 1)
                #expect(!s.log().contains("error"), "the run itself succeeded:\n\(s.log())")

                // The host is reinstalled: a new host key, and the kept connection goes with the old sshd.
                #expect(try await Lab_.eventually { try Self.connectionProcesses(lab, db).count >= 1 })
                let sessions = try Self.connectionProcesses(lab, db)
                lab.killSSHD(db)
                for pid in sessions { kill(pid, SIGKILL) }
                try FileManager.default.removeItem(atPath: db.hostKeyPath)
                try FileManager.default.removeItem(atPath: db.hostKeyPath + ".pub")
                _ = try Lab.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "reinstalled", "-f", db.hostKeyPath])
                try lab.startSSHD(db)
                let acceptedBefore = try Self.accepted(db)

                try api.mergePatch("/api/v1/namespaces/apps/pods/web-b", ["metadata": ["labels": ["app": "web"]]])
                #expect(try await Lab_.eventually { s.log().contains("host key for \(db.name)") && s.log().contains("does not match") },
                        "refused on reconnection:\n\(s.log())")
                #expect(try lab.canConnect(from: b, to: db.address, port: 5432), "nothing changed on the host")
                #expect(try Self.accepted(db) == acceptedBefore, "the new sshd authenticated nobody")
                try await Self.stop(s.controller)
                #expect(!s.controller.isRunning && s.controller.terminationStatus == 0, "\(s.log())")
            }
        }
    }
}
