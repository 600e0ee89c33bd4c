import ExtendController
import ExtendCore
import ExtendInput
import ExtendKube
import Foundation
import KubeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// `extend controller --companions` in-process against the stand-in API
/// server: the real informers and the companion reconciler writing through
/// the API; host runs succeed at once (no SSH). The inventory is a file the
/// test edits, read every 200 ms.
final class CompanionController: Sendable {
    let inventoryPath: String
    let directory: URL
    let events: RecordedEvents
    let leadership: Leadership
    /// What /readyz answers from.
    let status: ControllerStatus
    /// What the companion reconciler logged (info and above).
    let log: CapturedLog
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(_ server: FakeAPIServer, inventory: String, dryRun: Bool = false, leading: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("extend-companions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        inventoryPath = directory.appendingPathComponent("inventory.yaml").path
        try inventory.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
        let load = InventoryLoader.load(path: inventoryPath)
        guard let inv = load.inventory, !load.hasErrors else { throw FakeAPIServerError("the test's inventory: \(load.diagnostics)") }
        var logger = Logger(label: "test.companions")
        logger.logLevel = .warning
        let client = APIClient(config: try KubeconfigLoader.load(file: server.kubeconfig, context: nil), logger: logger)
        let watch = ClusterWatch(client: client)
        let events = RecordedEvents(), leadership = Leadership(leading: leading), status = ControllerStatus(), log = CapturedLog()
        self.events = events
        self.leadership = leadership
        self.status = status
        self.log = log
        var companionLogger = Logger(label: "test.companions") { _ in log }
        companionLogger.logLevel = .info
        let companions = CompanionReconciler(settings: .init(dryRun: dryRun, retryBase: .milliseconds(200)),
                                             store: CompanionStore(client: client), leadership: leadership, events: events,
                                             status: status, logger: companionLogger)
        let service = ControllerService(
            configuration: .init(inventoryPath: inventoryPath, reconcile: ReconcileSettings(minInterval: .milliseconds(50)),
                                 inventoryPoll: .milliseconds(200), tick: .milliseconds(100)),
            inventory: inv, cluster: { emit in await watch.run(emit: emit) }, runner: InstantRunner(), events: events,
            status: status, leadership: leadership, logger: logger, companions: companions)
        let group = ServiceGroup(services: [service], logger: logger)
        self.group = group
        task = Task { try? await group.run() }
    }

    /// Replaces the inventory file (read again within 200 ms).
    func edit(_ change: (String) -> String) throws {
        let text = try String(contentsOfFile: inventoryPath, encoding: .utf8)
        let new = change(text)
        precondition(new != text, "the edit changes the inventory")
        try new.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
    }

    /// SIGTERM, as the pod gets it: waits until the service has stopped.
    func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Log lines kept for the test to read.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        lines.withLock { $0.append("\(level): \(message)") }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

/// Host runs that succeed at once: these tests are about the cluster side.
struct InstantRunner: HostRunner {
    func run(_ run: ControllerEngine.Run) async -> HostResult {
        HostResult(host: run.host.name, outcome: .inSync, message: "host \(run.host.name): in sync", duration: .zero)
    }
}

/// A NetworkPolicy as the stand-in server holds it, read through its own
/// client (not the one under test), off the cooperative pool.
struct StoredPolicy: Sendable, Equatable {
    var name: String
    var uid: String
    var resourceVersion: String
    var labels: [String: String]
    /// Every `ipBlock.cidr` of its rules, sorted.
    var cidrs: [String]
    /// `TCP/873`, per port entry of every rule, sorted.
    var ports: [String]
    /// `NetworkPolicy/billing-db/<uid>/controller=false/block=false`.
    var owners: [String]

    init(_ o: [String: Any]) {
        let meta = o["metadata"] as? [String: Any] ?? [:]
        name = meta["name"] as? String ?? ""
        uid = meta["uid"] as? String ?? ""
        resourceVersion = meta["resourceVersion"] as? String ?? ""
        labels = meta["labels"] as? [String: String] ?? [:]
        owners = (meta["ownerReferences"] as? [[String: Any]] ?? []).map { r in
            let flag = { (key: String) in (r[key] as? Bool).map { "\($0)" } ?? "none" }
            return "\(r["kind"] as? String ?? "")/\(r["name"] as? String ?? "")/\(r["uid"] as? String ?? "")/controller=\(flag("controller"))/block=\(flag("blockOwnerDeletion"))"
        }
        let spec = o["spec"] as? [String: Any] ?? [:]
        let rules = (spec["ingress"] as? [[String: Any]] ?? []) + (spec["egress"] as? [[String: Any]] ?? [])
        let peers = rules.flatMap { ($0["from"] as? [[String: Any]] ?? []) + ($0["to"] as? [[String: Any]] ?? []) }
        cidrs = peers.compactMap { ($0["ipBlock"] as? [String: Any])?["cidr"] as? String }.sorted()
        ports = rules.flatMap { $0["ports"] as? [[String: Any]] ?? [] }.map { "\($0["protocol"] ?? "")/\($0["port"] ?? "")" }.sorted()
    }
}

extension FakeAPIServer {
    /// The NetworkPolicies of `namespace`, by name.
    func policies(in namespace: String) async throws -> [String: StoredPolicy] {
        try await offPool { server in
            let list = try server.send("GET", "/apis/networking.k8s.io/v1/namespaces/\(namespace)/networkpolicies")
            let items = (list["items"] as? [[String: Any]] ?? []).map(StoredPolicy.init)
            return Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0) })
        }
    }

    /// The requests that wrote NetworkPolicies (create, update, patch, delete), as `VERB path`.
    func policyWrites() async throws -> [String] {
        try await offPool { server in
            try server.requests().filter { $0["resource"] as? String == "networkpolicies" && !["get", "list", "watch"].contains($0["verb"] as? String ?? "") }
                .map { "\($0["verb"] as? String ?? "") \($0["path"] as? String ?? "")" }
        }
    }
}

/// Waits until `condition` holds, checking every 100 ms, for at most `timeout` (generous: in a
/// parallel run, CPU-bound suites can keep the in-process controller waiting for seconds).
func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw FakeAPIServerError("timed out waiting for \(what)")
}
