import BenchSupport
import Foundation
import KubeSupport

/// Row 2: the controller's initial sync of issue 10's base cluster (10k
/// pods, 2k policies, 1k hosts) from the fake API server, `--dry-run`: from
/// the process's start to "cluster synced" in its log and to /readyz 200
/// (every host planned), and its peak RSS once ready. No host is contacted.
struct InitialSyncRow {
    var scale: BenchScale
    var work: String
    var extend: String
    var repeats: Int

    func run(cleanup: Cleanup) throws -> RowResult {
        let clock = ContinuousClock()
        let folder = work + "/" + scale.folderName
        let clusterPath = folder + "/cluster.json", inventoryPath = folder + "/inventory.yaml"
        // The generator is seeded: the same sizes and seed give byte-identical files, so a folder
        // extend-bench (or an earlier run) wrote is reused.
        if FileManager.default.fileExists(atPath: clusterPath) && FileManager.default.fileExists(atPath: inventoryPath) {
            Log.say("initial sync: reusing \(folder)")
        } else {
            Log.say("initial sync: generating \(scale) in \(folder)…")
            _ = try BenchInput.write(scale, to: folder)
        }
        let clusterBytes = (try? FileManager.default.attributesOfItem(atPath: clusterPath)[.size] as? Int) ?? 0

        Log.say("initial sync: loading cluster.json (\(Format.bytes(clusterBytes))) into the fake API server…")
        var t = clock.now
        let api = try FakeAPIServer(["--no-default-namespaces", "--load", clusterPath], startTimeout: .seconds(900))
        cleanup.api = api
        let loadTime = clock.now - t

        var synced: [Duration] = [], ready: [Duration] = [], peaks: [Int] = [], rss: [Int] = [], cpu: [Double] = []
        var reported = "", planned = 0, contacted = 0
        for run in 1...repeats {
            Log.say("initial sync: run \(run) of \(repeats)…")
            let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("extend-controller-bench-sync-\(getpid()).log").path
            let controller = try ControllerProcess(
                executable: extend,
                arguments: ["controller", "--dry-run", "--kubeconfig", api.kubeconfig, "--inventory", inventoryPath,
                            "--listen", "127.0.0.1:0"],
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
            let log = controller.log
            let lines = log.split(separator: "\n")
            reported = lines.first { $0.contains("cluster synced") }.map { String($0[($0.range(of: "cluster synced")?.lowerBound ?? $0.startIndex)...]) } ?? ""
            planned = lines.filter { $0.contains("would ") }.count
            contacted = lines.filter { $0.contains("connect") || $0.contains("ssh") }.count
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
                "\(scale.pods) pods, \(scale.policies) policies, \(scale.namespaces)+\(scale.inventoryNamespaces) namespaces (extend-bench's base input, cluster.json \(Format.bytes(clusterBytes)))",
                repeats > 1 ? "median of \(repeats) (ready \(ready.map { Format.seconds($0) }.joined(separator: ", ")); synced \(synced.map { Format.seconds($0) }.joined(separator: ", ")))" : "one run",
                "RSS once ready \(rss.map { Format.megabytes($0) }.joined(separator: ", "))",
                "its log: \(reported)",
                "\(planned) host(s) planned (\"would …\" lines), \(contacted) log line(s) naming ssh/connect",
                "fake server loaded the file in \(Format.seconds(loadTime)) (not in the figures)",
            ])
    }
}
