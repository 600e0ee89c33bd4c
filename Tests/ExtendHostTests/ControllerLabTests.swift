import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeSupport
import LabSupport
import Testing

extension HostLabBacked {
    /// `extend controller` against the stand-in API server and real lab
    /// hosts: pods are lab hosts' addresses, so traffic proves what the
    /// controller put on the database host as the cluster changes.
    @Suite("The controller keeps a real host converged as the cluster changes")
    struct ControllerLab {
        /// The inventory with `db` as its one host (`listing: false`: with no host at all).
        static func inventory(_ lab: Lab, db: LabHost, listing: Bool = true) throws -> String {
            let text = """
                apiVersion: netpol-extend/v1
                kind: Inventory
                defaults:
                  ssh:
                    user: \(lab.user)
                    port: \(db.port)
                    identityFile: \(lab.clientKey.path)
                    knownHostsFile: \(lab.knownHostsPath)
                    connectTimeoutSeconds: 5
                  management: [\(lab.managementAddress)/32]
                hosts:\(listing ? "\n  - {name: \(db.name), namespace: \(labNamespace), labels: {role: db}, addresses: [\(db.address)]}" : " []")

                """
            let path = lab.path(listing ? "controller-inventory.yaml" : "controller-inventory-empty.yaml")
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw LabError("cannot write \(path)") }
            return path
        }

        /// A pod whose address is a lab host's: created, then given its IP as the kubelet does (status).
        static func createPod(_ api: FakeAPIServer, _ name: String, app: String, ip: String) throws {
            try api.create("/api/v1/namespaces/apps/pods", object: [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": name, "namespace": "apps", "labels": ["app": app]],
                "spec": ["containers": [["name": "c", "image": "x"]]],
            ])
            try api.mergePatch("/api/v1/namespaces/apps/pods/\(name)/status",
                               ["status": ["phase": "Running", "podIP": ip, "podIPs": [["ip": ip]]]])
        }

        /// Namespaces `lab` (the database host's) and `apps` (env=apps), a
        /// policy admitting app=api pods of env=apps namespaces to role=db on
        /// 5432, and two pods with lab hosts' addresses: api-a (a) and web-b (b).
        static func cluster(_ api: FakeAPIServer, a: LabHost, b: LabHost) throws {
            try api.create("/api/v1/namespaces", object: ["apiVersion": "v1", "kind": "Namespace",
                                                          "metadata": ["name": labNamespace]])
            try api.create("/api/v1/namespaces", object: ["apiVersion": "v1", "kind": "Namespace",
                                                          "metadata": ["name": "apps", "labels": ["env": "apps"]]])
            try api.create("/apis/networking.k8s.io/v1/namespaces/\(labNamespace)/networkpolicies", object: [
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": ["name": "db", "namespace": labNamespace],
                "spec": ["podSelector": ["matchLabels": ["role": "db"]], "policyTypes": ["Ingress"],
                         "ingress": [["from": [["namespaceSelector": ["matchLabels": ["env": "apps"]],
                                                 "podSelector": ["matchLabels": ["app": "api"]]]],
                                      "ports": [["port": 5432, "protocol": "TCP"]]]]],
            ])
            try createPod(api, "api-a", app: "api", ip: a.address)
            try createPod(api, "web-b", app: "web", ip: b.address)
        }

        /// `extend controller` for the lab's database host, its log in the lab's folder.
        static func start(_ lab: Lab, _ api: FakeAPIServer, db: LabHost, extra: [String] = [], inventory: String? = nil,
                          log: String = "controller.log") throws -> (Process, String) {
            let logPath = lab.path(log)
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw LabError("cannot write \(logPath)") }
            let controller = Process()
            controller.executableURL = URL(fileURLWithPath: ExtendBinary.path)
            controller.arguments = ["controller", "--kubeconfig", api.kubeconfig, "--inventory", try inventory ?? Self.inventory(lab, db: db),
                                    "--listen", "127.0.0.1:0", "--min-interval", "0.2", "--rollback-after", "20", "--no-events",
                                    // Its managed hosts record goes to the lab's namespace.
                                    "--namespace", labNamespace] + extra
            var environment = ProcessInfo.processInfo.environment
            environment["SSH_AUTH_SOCK"] = nil
            controller.environment = environment
            controller.standardInput = FileHandle.nullDevice
            controller.standardOutput = FileHandle.nullDevice
            controller.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            try controller.run()
            return (controller, logPath)
        }

        /// One lab run: three hosts (db, with a listener on 5432; a and b, the
        /// pods' addresses), the stand-in API server holding `cluster`, and
        /// `extend controller` for db, all stopped and removed afterwards.
        struct Setup {
            let lab: Lab, api: FakeAPIServer, db: LabHost, a: LabHost, b: LabHost
            let controller: Process
            let logPath: String
            func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        }

        static func withControllerLab(extra: [String], _ body: (Setup) async throws -> Void) async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try await Lab.withHosts(count: 3) { lab in
                let (db, a, b) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
                let listeners = try Listeners(in: [db.netns], ports: [5432], logDirectory: lab.directory)
                defer { listeners.stop() }
                try await FakeAPIServer.with(["--no-default-namespaces"]) { api in
                    try cluster(api, a: a, b: b)
                    let (controller, logPath) = try start(lab, api, db: db, extra: extra)
                    let pid = controller.processIdentifier
                    defer { if controller.isRunning { kill(pid, SIGKILL); controller.waitUntilExit() } }
                    try await body(Setup(lab: lab, api: api, db: db, a: a, b: b, controller: controller, logPath: logPath))
                }
            }
        }

        /// Waits for /readyz (the host converged once).
        static func ready(_ log: () -> String) async -> Bool {
            let port = await eventually { listeningPort(log()) != nil } ? listeningPort(log()) ?? 0 : 0
            for _ in 0..<150 {
                if await status(port: port, "/readyz") == 200 { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        static func listeningPort(_ log: String) -> Int? {
            guard let r = log.range(of: "listening on 127.0.0.1:") else { return nil }
            return Int(log[r.upperBound...].prefix { $0.isNumber })
        }

        static func status(port: Int, _ path: String) async -> Int {
            guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"),
                  let (_, response) = try? await URLSession.shared.data(from: url) else { return 0 }
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        }

        /// Polls until `condition` holds (the controller works asynchronously), up to `timeout`.
        static func eventually(_ timeout: Duration = .seconds(20), _ condition: () throws -> Bool) async rethrows -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try condition() { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return try condition()
        }

        @Test("a pod relabelled into the peer gets through, a deleted pod no longer does; SIGTERM stops the controller cleanly")
        func followsTheCluster() async throws {
            try await Self.withControllerLab(extra: []) { s in
                let (lab, api, db, a, b, controller) = (s.lab, s.api, s.db, s.a, s.b, s.controller)
                let pid = controller.processIdentifier
                func log() -> String { s.log() }

                    // Ready: the watches synced and the host converged once.
                    #expect(await Self.ready(log), "/readyz:\n\(log())")
                    // Converged at start: api-a gets through, web-b does not.
                    #expect(try await Self.eventually { try lab.canConnect(from: a, to: db.address, port: 5432) }, "api-a admitted:\n\(log())")
                    #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)), "web-b not admitted")

                    // web-b becomes an api pod: admitted, without anyone running extend.
                    try api.mergePatch("/api/v1/namespaces/apps/pods/web-b", ["metadata": ["labels": ["app": "api"]]])
                    #expect(try await Self.eventually { try lab.canConnect(from: b, to: db.address, port: 5432) }, "web-b admitted after its relabel:\n\(log())")

                    // api-a is deleted: no longer admitted; web-b still is.
                    try api.delete("/api/v1/namespaces/apps/pods/api-a")
                    #expect(try await Self.eventually { !(try lab.canConnect(from: a, to: db.address, port: 5432)) }, "api-a gone:\n\(log())")
                    #expect(try lab.canConnect(from: b, to: db.address, port: 5432))
                    #expect(!log().contains("error"), "\(log())")

                    kill(pid, SIGTERM)
                    let deadline = ContinuousClock.now + .seconds(20)
                    while controller.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                    #expect(!controller.isRunning && controller.terminationStatus == 0, "SIGTERM stops it:\n\(log())")
                    #expect(log().contains("controller stopped"))
            }
        }
    
        @Test("a chain flushed by hand on the host is repaired by the next resync")
        func resyncRepairsDrift() async throws {
            try await Self.withControllerLab(extra: ["--resync", "6"]) { s in
                let (lab, db, a, b, controller) = (s.lab, s.db, s.a, s.b, s.controller)
                let pid = controller.processIdentifier
                func log() -> String { s.log() }
                    #expect(await Self.ready(log), "/readyz:\n\(log())")
                    #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)), "web-b not admitted")

                    // Someone flushes our top chain by hand: the host drops nothing any more.
                    _ = try lab.shell(db, "iptables -F NPX-INPUT")
                    #expect(try lab.canConnect(from: b, to: db.address, port: 5432), "drift: the flushed chain admits everyone")
                    // No cluster change; the resync reads the host and puts the rules back.
                    #expect(try await Self.eventually(.seconds(25)) { !(try lab.canConnect(from: b, to: db.address, port: 5432)) },
                            "repaired by the resync:\n\(log())")
                    #expect(try lab.canConnect(from: a, to: db.address, port: 5432))
                    kill(pid, SIGTERM)
            }
        }

        /// Processes of the host's network namespace whose command line is `argv`.
        static func running(_ argv: [String], in host: LabHost) throws -> Bool {
            let pids = try Lab.run(["ip", "netns", "pids", host.netns]).stdoutText.split(whereSeparator: \.isWhitespace)
            return pids.contains { pid in
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
                return raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } == argv
            }
        }

        @Test("SIGTERM while a host run is under way: the run finishes and is confirmed, no new run starts, exit 0")
        func sigtermDuringARun() async throws {
            try await Self.withControllerLab(extra: []) { s in
                let (lab, api, db, b, controller) = (s.lab, s.api, s.db, s.b, s.controller)
                let pid = controller.processIdentifier
                func log() -> String { s.log() }
                    #expect(await Self.ready(log), "/readyz:\n\(log())")
                    #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))

                    // The next run lingers in ipset (a member change is entry deltas in one ipset restore); SIGTERM comes then.
                    try lab.slowDown("/usr/sbin/ipset", by: 2.37, .after, on: db)
                    try api.mergePatch("/api/v1/namespaces/apps/pods/web-b", ["metadata": ["labels": ["app": "api"]]])
                    #expect(try await Self.eventually(.seconds(15)) { try Self.running(["sleep", "2.37"], in: db) }, "the run reached the host:\n\(log())")
                    kill(pid, SIGTERM)
                    let deadline = ContinuousClock.now + .seconds(40)
                    while controller.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                    #expect(!controller.isRunning && controller.terminationStatus == 0, "\(log())")
                    #expect(log().contains("shutting down: 1 host run(s) under way finish"), "\(log())")
                    // Finished and confirmed: the new rules, no rollback pending on the host.
                    #expect(try lab.canConnect(from: b, to: db.address, port: 5432), "web-b admitted by the finished run:\n\(log())")
                    #expect(try lab.rollbacks(in: db).isEmpty, "the change was confirmed before the controller exited")
            }
        }
            /// The managed hosts record (a ConfigMap in the lab's namespace) as the lab's API server holds it: its host names.
        static func recorded(_ api: FakeAPIServer) throws -> [String]? {
            guard let map = try? api.send("GET", "/api/v1/namespaces/\(labNamespace)/configmaps/netpol-extend-managed-hosts"),
                  let text = (map["data"] as? [String: String])?["hosts.json"],
                  let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
            return (json["hosts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }

        @Test("a host removed from the inventory while no controller runs is cleaned at the next start, and leaves the record")
        func managedHostsRecordCleansAHostRemovedWhileStopped() async throws {
            try await Self.withControllerLab(extra: []) { s in
                let (lab, api, db, b, controller) = (s.lab, s.api, s.db, s.b, s.controller)
                #expect(await Self.ready(s.log), "/readyz:\n\(s.log())")
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)), "isolated: web-b not admitted")
                #expect(try Self.recorded(api) == [db.name], "recorded before its first apply:\n\(s.log())")

                // The controller stops; the host leaves the inventory while none runs.
                kill(controller.processIdentifier, SIGTERM)
                let deadline = ContinuousClock.now + .seconds(20)
                while controller.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                #expect(!controller.isRunning && controller.terminationStatus == 0)
                #expect(try lab.shell(db, "iptables-save -t filter").contains("NPX-INPUT"), "still holds our rules")

                let (next, logPath) = try Self.start(lab, api, db: db, inventory: try Self.inventory(lab, db: db, listing: false),
                                                     log: "controller-next.log")
                let pid = next.processIdentifier
                defer { if next.isRunning { kill(pid, SIGKILL); next.waitUntilExit() } }
                func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
                #expect(try await Self.eventually(.seconds(30)) { try lab.canConnect(from: b, to: db.address, port: 5432) },
                        "cleaned: nothing of ours isolates it any more:\n\(log())")
                #expect(log().contains("1 host(s) left the inventory while no controller ran: \(db.name); their rules are removed"), "\(log())")
                let saved = try lab.shell(db, "iptables-save -t filter; ipset list -n")
                #expect(!saved.contains("NPX-") && !saved.contains("npx-"), "no chain or set of ours left:\n\(saved)")
                #expect(try await Self.eventually { try Self.recorded(api) == [] }, "dropped from the record once cleaned:\n\(log())")
                kill(pid, SIGTERM)
                let stop = ContinuousClock.now + .seconds(20)
                while next.isRunning && ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(50)) }
                #expect(!next.isRunning && next.terminationStatus == 0, "\(log())")
            }
        }
    }
}
