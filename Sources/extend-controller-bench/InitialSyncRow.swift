import BenchSupport
import Foundation
import KubeSupport

/// Row 2: the controller's initial sync of issue 10's base cluster (10k
/// pods, 2k policies, 1k hosts) from the fake API server, `--dry-run`: from
/// the process's start to "cluster synced" in its log and to /readyz 200
/// (every host planned), and its peak RSS once ready. No host is contacted.
/// When the controller logs connection changes (on in a dry run), each run
/// then adds one policy through the API and times how long until the log
/// says what it opens and closes.
struct InitialSyncRow {
    var scale: BenchScale
    var work: String
    var extend: String
    var repeats: Int
    /// Appended to the controller's arguments (e.g. --no-log-connection-changes).
    var extraArguments: [String] = []

    func run(cleanup: Cleanup) throws -> RowResult {
        let clock = ContinuousClock()
        let folder = work + "/" + scale.folderName
        let clusterPath = folder + "/cluster.json"
        // Written afresh every time (a few seconds): a folder left by an older generator would
        // measure another input. Seeded, so the files are extend-bench's, byte for byte.
        Log.say("initial sync: generating \(scale) in \(folder)…")
        let input = try BenchInput.write(scale, to: folder)
        let clusterBytes = input.clusterBytes
        let (namespacesPath, apiInventoryPath) = try Self.asServed(input)

        Log.say("initial sync: loading cluster.json (\(Format.bytes(clusterBytes))) into the fake API server…")
        let t = clock.now
        let api = try FakeAPIServer(["--no-default-namespaces", "--load", namespacesPath, "--load", clusterPath],
                                    startTimeout: .seconds(900))
        cleanup.api = api
        let loadTime = clock.now - t

        var synced: [Duration] = [], ready: [Duration] = [], peaks: [Int] = [], rss: [Int] = [], cpu: [Double] = []
        var reported = "", planned = 0, contacted = 0, warnings = 0
        var baseline = "", changeLogged: [Duration] = [], changeLine = "", peaksAfterChange: [Int] = []
        for run in 1...repeats {
            Log.say("initial sync: run \(run) of \(repeats)…")
            let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("extend-controller-bench-sync-\(getpid()).log").path
            let controller = try ControllerProcess(
                executable: extend,
                arguments: ["controller", "--dry-run", "--kubeconfig", api.kubeconfig, "--inventory", apiInventoryPath,
                            "--listen", "127.0.0.1:0"] + extraArguments,
                logPath: logPath)
            cleanup.controller = controller
            defer { try? FileManager.default.removeItem(atPath: logPath) }
            // Both clocks polled together, every 5 ms: the log for "cluster synced", then /readyz.
            let deadline = clock.now + .seconds(300)
            var syncedAt: ContinuousClock.Instant?, readyAt: ContinuousClock.Instant?, port: Int?
            while readyAt == nil {
                guard clock.now < deadline else { throw BenchError("not ready within 300 s:\n\(controller.logTail())") }
                guard controller.isRunning else { throw BenchError("the controller exited:\n\(controller.logTail())") }
                if syncedAt == nil || port == nil {
                    let log = controller.log
                    if syncedAt == nil, log.contains("cluster synced") { syncedAt = clock.now }
                    if port == nil { port = controller.listeningPort }
                }
                if syncedAt != nil, let port, HTTPProbe.status(port: port, path: "/readyz") == 200 { readyAt = clock.now }
                if readyAt == nil { usleep(5_000) }
            }
            peaks.append(controller.peakRSSKB ?? 0)
            rss.append(controller.rssKB ?? 0)
            cpu.append(controller.cpuSeconds ?? 0)
            if controller.log.contains("connection changes: logged"), let change = input.cluster.policyEdit {
                // The baseline first (judged off the loop after the sync), then one policy through the API.
                while !controller.log.contains("from now on each change logs") {
                    guard clock.now < deadline, controller.isRunning else { throw BenchError("no connection baseline:\n\(controller.logTail())") }
                    usleep(5_000)
                }
                baseline = Self.line(controller.log, "from now on each change logs")
                let object = try Self.creatable(change.manifest)
                let namespace = (object["metadata"] as? [String: Any])?["namespace"] as? String ?? ""
                let sent = clock.now
                try api.create("/apis/networking.k8s.io/v1/namespaces/\(namespace)/networkpolicies", object: object)
                while !controller.log.contains("change(s), judged in") {
                    guard clock.now < sent + .seconds(300), controller.isRunning else { throw BenchError("no connection change logged:\n\(controller.logTail())") }
                    usleep(5_000)
                }
                changeLogged.append(clock.now - sent)
                changeLine = "\(change.summary): " + Self.line(controller.log, "change(s), judged in") + " "
                    + "(\(controller.log.components(separatedBy: "connections: opened").count - 1) opened, "
                    + "\(controller.log.components(separatedBy: "connections: closed").count - 1) closed group line(s) logged)"
                peaksAfterChange.append(controller.peakRSSKB ?? 0)
                try? api.delete("/apis/networking.k8s.io/v1/namespaces/\(namespace)/networkpolicies/\((object["metadata"] as? [String: Any])?["name"] as? String ?? "")")
            }
            let log = controller.log
            let lines = log.split(separator: "\n")
            reported = lines.first { $0.contains("cluster synced") }.map { String($0[($0.range(of: "cluster synced")?.lowerBound ?? $0.startIndex)...]) } ?? ""
            planned = lines.filter { $0.contains("would ") }.count
            // The connection log's own lines ("connection changes: logged", "connections: …") name no host contact.
            contacted = lines.filter { ($0.contains("connect") && !$0.contains("connections:") && !$0.contains("connection changes")) || $0.contains("ssh") }.count
            warnings = lines.filter { $0.contains(" warning ") || $0.contains(" error ") }.count
            controller.stop()
            cleanup.controller = nil
            if let syncedAt, let readyAt {
                synced.append(syncedAt - controller.started)
                ready.append(readyAt - controller.started)
            }
        }
        let order = ready.indices.sorted { ready[$0] < ready[$1] }
        let median = order[order.count / 2]
        return RowResult(
            row: "initial sync, --dry-run (base: 10k pods)", hosts: scale.hosts, changes: nil, samples: [],
            synced: synced[median], ready: ready[median], peakRSSKB: peaks.max(),
            cpu: String(format: "%.2f s to ready", cpu[median]),
            notes: [
                "\(scale.pods) pods, \(scale.policies) policies, \(scale.namespaces)+\(scale.inventoryNamespaces) namespaces: extend-bench's base input (cluster.json \(Format.bytes(clusterBytes))), its inventory-only namespaces served as cluster namespaces with the same labels",
                repeats > 1 ? "median of \(repeats) (ready \(ready.map { Format.seconds($0) }.joined(separator: ", ")); synced \(synced.map { Format.seconds($0) }.joined(separator: ", ")))" : "one run",
                "RSS once ready \(rss.map { Format.megabytes($0) }.joined(separator: ", "))",
                "its log: \(reported)",
                "\(planned) host(s) planned (\"would …\" lines), \(contacted) log line(s) naming ssh/connect, \(warnings) warning or error line(s)",
                "fake server loaded the file in \(Format.seconds(loadTime)) (not in the figures)",
            ] + (baseline.isEmpty ? ["connection changes not logged (\(extraArguments.joined(separator: " ")))"] : [
                "connection log: \(baseline)",
                "one policy through the API (\(changeLine)): logged \(changeLogged.map { Format.seconds($0) }.joined(separator: ", ")) after the POST; peak RSS then \(peaksAfterChange.map { Format.megabytes($0) }.joined(separator: ", "))",
            ]))
    }

    /// The change's manifest as a create request carries it. The manifest is
    /// written as a listed object (extend reads it from files), stamped with
    /// the resourceVersion, uid and creationTimestamp a server would have set;
    /// an API server refuses a create that sets resourceVersion (HTTP 500,
    /// "resourceVersion should not be set on objects to be created", as the
    /// real etcd3 store does), and sets uid and creationTimestamp itself. So
    /// the three go, as `kubectl create` users strip them from a `get -o json`.
    static func creatable(_ manifest: [UInt8]) throws -> [String: Any] {
        guard var object = try JSONSerialization.jsonObject(with: Data(manifest)) as? [String: Any],
              var metadata = object["metadata"] as? [String: Any] else {
            throw BenchError("the policy change is not a JSON object with metadata")
        }
        for key in ["resourceVersion", "uid", "creationTimestamp"] { metadata.removeValue(forKey: key) }
        object["metadata"] = metadata
        return object
    }

    /// The text of the first log line containing `marker`, from the marker's prefix "connections:" on.
    static func line(_ log: String, _ marker: String) -> String {
        guard let l = log.split(separator: "\n").first(where: { $0.contains(marker) }) else { return "" }
        return String(l[(l.range(of: "connections:")?.lowerBound ?? l.startIndex)...])
    }

    /// The same cluster as an API server holds it. extend-bench's input keeps
    /// five namespaces in the inventory alone (`legacy-0`…, with labels) and
    /// puts half the policies in them: through the API a policy's namespace
    /// must exist, so here those namespaces are cluster namespaces with the
    /// same labels (loaded first), and the inventory no longer declares them
    /// (the controller rejects a namespace declared in both). Hosts then sit
    /// in cluster namespaces directly: the same selections, the same rules.
    static func asServed(_ input: BenchInput) throws -> (namespaces: String, inventory: String) {
        let items: [Any] = input.cluster.inventoryNamespaces.map { ns in
            var labels = Dictionary(ns.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            labels["kubernetes.io/metadata.name"] = ns.name
            return ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": ns.name, "labels": labels]] as [String: Any]
        }
        let namespaces = input.folder + "/api-namespaces.json"
        try JSONSerialization.data(withJSONObject: ["apiVersion": "v1", "kind": "List", "items": items], options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: namespaces))
        // inventory.yaml without its top-level `namespaces:` block.
        let text = try String(contentsOfFile: input.inventoryPath, encoding: .utf8)
        var kept: [Substring] = [], skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "namespaces:" { skipping = true; continue }
            if skipping, let first = line.first, first != " ", first != "-" { skipping = false }
            if !skipping { kept.append(line) }
        }
        let inventory = input.folder + "/api-inventory.yaml"
        guard FileManager.default.createFile(atPath: inventory, contents: Data(kept.joined(separator: "\n").utf8)) else {
            throw BenchError("cannot write \(inventory)")
        }
        return (namespaces, inventory)
    }
}
