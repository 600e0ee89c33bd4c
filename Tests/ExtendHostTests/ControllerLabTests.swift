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
        static func inventory(_ lab: Lab, db: LabHost) throws -> String {
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
                hosts:
                  - {name: \(db.name), namespace: \(labNamespace), labels: {role: db}, addresses: [\(db.address)]}

                """
            let path = lab.path("controller-inventory.yaml")
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
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try await Lab.withHosts(count: 3) { lab in
                let (db, a, b) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
                let listeners = try Listeners(in: [db.netns], ports: [5432], logDirectory: lab.directory)
                defer { listeners.stop() }
                try await FakeAPIServer.with(["--no-default-namespaces"]) { api in
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
                    try Self.createPod(api, "api-a", app: "api", ip: a.address)
                    try Self.createPod(api, "web-b", app: "web", ip: b.address)

                    let logPath = lab.path("controller.log")
                    guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw LabError("cannot write \(logPath)") }
                    let controller = Process()
                    controller.executableURL = URL(fileURLWithPath: ExtendBinary.path)
                    controller.arguments = ["controller", "--kubeconfig", api.kubeconfig, "--inventory", try Self.inventory(lab, db: db),
                                            "--listen", "127.0.0.1:0", "--min-interval", "0.2", "--rollback-after", "20"]
                    var environment = ProcessInfo.processInfo.environment
                    environment["SSH_AUTH_SOCK"] = nil
                    controller.environment = environment
                    controller.standardInput = FileHandle.nullDevice
                    controller.standardOutput = FileHandle.nullDevice
                    controller.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
                    try controller.run()
                    let pid = controller.processIdentifier
                    defer { if controller.isRunning { kill(pid, SIGKILL); controller.waitUntilExit() } }
                    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

                    // Ready: the watches synced and the host converged once.
                    let port = await Self.eventually { Self.listeningPort(log()) != nil } ? Self.listeningPort(log()) ?? 0 : 0
                    var ready = false
                    for _ in 0..<150 where !ready {
                        ready = await Self.status(port: port, "/readyz") == 200
                        if !ready { try await Task.sleep(for: .milliseconds(200)) }
                    }
                    #expect(ready, "/readyz on port \(port):\n\(log())")
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
        }
    }
}
