import Foundation
import KubeSupport
import LabSupport

/// Row 1: from an API write to the rules in place on every lab host.
///
/// `extend controller` (real SSH, no dry run) keeps N lab hosts converged;
/// each change is one merge PATCH of a pod's `app` label (into or out of
/// the peer). The clock starts when the PATCH returns and stops when the
/// hosts' own kernels show the pod's address in (or out of) the peer's set
/// on all N hosts, polled through SetProbe.
struct LatencyRow {
    var hosts: Int
    var changes: Int
    var extend: String
    var minInterval: Double
    /// The controller's --concurrency; nil for its default.
    var concurrency: Int?
    /// ssh.mode: restricted on every host (installed by `extend host-bootstrap --install`).
    var restricted = false
    var pollInterval: Duration
    var changeTimeout: Duration

    func run(cleanup: Cleanup) throws -> RowResult {
        let clock = ContinuousClock()
        Log.say("latency: building a lab of \(hosts) hosts…")
        let t = clock.now
        let lab = try Lab(count: hosts)
        cleanup.lab = lab
        Log.say("  lab \(lab.id) on \(lab.subnet) ready in \(Format.seconds(clock.now - t))")
        let scenario = LatencyScenario(lab: lab)

        let loadPath = lab.path("controller-bench-cluster.json")
        try scenario.clusterJSON().write(to: URL(fileURLWithPath: loadPath))
        let api = try FakeAPIServer(["--no-default-namespaces", "--load", loadPath])
        cleanup.api = api
        var inventory = try scenario.writeInventory()
        if restricted {
            Log.say("latency: installing restricted access on \(hosts) hosts (extend host-bootstrap --install)…")
            inventory = try scenario.restrict(extend: extend, rootInventory: inventory)
        }

        Log.say("latency: starting extend controller (min-interval \(minInterval) s)…")
        let controller = try ControllerProcess(
            executable: extend,
            arguments: ["controller", "--kubeconfig", api.kubeconfig, "--inventory", inventory,
                        "--listen", "127.0.0.1:0", "--min-interval", String(minInterval),
                        // Its managed hosts record goes to a namespace the stand-in has.
                        "--namespace", LatencyScenario.hostNamespace]
                + (concurrency.map { ["--concurrency", String($0)] } ?? []),
            logPath: lab.path("controller.log"))
        cleanup.controller = controller
        let port = try controller.waitForPort(timeout: .seconds(60))
        let ready = try controller.waitReady(port: port, timeout: .seconds(120))
        Log.say("  ready after \(Format.seconds(ready - controller.started))")

        // The peer's set, by a steady pod's address; the same name on every host (content-named).
        let setName = try scenario.setHolding(scenario.steady[0].ip, on: lab.hosts[0])
        let probe = try SetProbe(lab: lab)
        cleanup.probe = probe
        let all = Array(lab.hosts.indices)
        for (i, held) in try probe.contains(setName, scenario.steady[0].ip, on: all) where !held {
            throw BenchError("\(lab.hosts[i].name) has no \(setName) holding \(scenario.steady[0].ip) after /readyz: \(probe.unexpected ?? "")")
        }
        for pod in scenario.flipping {
            if try probe.contains(setName, pod.ip, on: all).values.contains(true) {
                throw BenchError("\(pod.name) (\(pod.ip), app=web) is in \(setName) before any change")
            }
        }
        let cpuAtReady = controller.cpuSeconds ?? 0
        let metricsAtReady = HTTPProbe.body(port: port, path: "/metrics")

        var member = Array(repeating: false, count: scenario.flipping.count)
        var samples: [Duration] = []
        var rounds = 0
        var roundTime = Duration.zero
        var patchTime = Duration.zero
        Log.say("latency: \(changes) changes, one at a time…")
        for change in 0..<changes {
            let k = change % scenario.flipping.count
            let pod = scenario.flipping[k]
            let joining = !member[k]
            let p = clock.now
            try api.mergePatch("/api/v1/namespaces/\(LatencyScenario.podNamespace)/pods/\(pod.name)",
                               ["metadata": ["labels": ["app": joining ? "api" : "web"]]])
            let written = clock.now
            patchTime += written - p
            var pending = all
            var done = written
            while !pending.isEmpty {
                let r = clock.now
                let answers = try probe.contains(setName, pod.ip, on: pending)
                let now = clock.now
                rounds += 1
                roundTime += now - r
                pending.removeAll { answers[$0] == joining }
                if pending.isEmpty { done = now; break }
                if now - written > changeTimeout {
                    let names = pending.map { lab.hosts[$0].name }.joined(separator: ", ")
                    throw BenchError("change \(change + 1) (\(pod.name) \(joining ? "joins" : "leaves")): not in place on \(names) after \(changeTimeout) \(probe.unexpected ?? "")\n\(controller.logTail())")
                }
                Thread.sleep(forTimeInterval: pollInterval.seconds)
            }
            member[k] = joining
            samples.append(done - written)
            if (change + 1) % 50 == 0 {
                Log.say("  \(change + 1) changes; p50 so far \(Format.millis(Stats.percentile(samples, 0.5)))")
            }
        }
        let peak = controller.peakRSSKB
        // The controller's own view of the same changes: host runs (connect to done) and the
        // reconcile step (the compiler's delta), from /metrics, less what was there at ready.
        let metricsEnd = HTTPProbe.body(port: port, path: "/metrics")
        func delta(_ name: String) -> (sum: Double, count: Double) {
            let (a, b) = (HTTPProbe.sumAndCount(name, in: metricsAtReady), HTTPProbe.sumAndCount(name, in: metricsEnd))
            return (b.sum - a.sum, b.count - a.count)
        }
        let hostRuns = delta("netpol_extend_host_run_seconds"), reconciles = delta("netpol_extend_reconcile_seconds")
        func connections(_ kind: String) -> Int {
            let sample = "netpol_extend_ssh_connections_total{kind=\"\(kind)\"}"
            return Int(HTTPProbe.value(sample, in: metricsEnd) - HTTPProbe.value(sample, in: metricsAtReady))
        }
        let newConnections = connections("new"), reusedConnections = connections("reused")
        func meanMs(_ x: (sum: Double, count: Double)) -> String { x.count > 0 ? String(format: "%.1f ms", x.sum / x.count * 1000) : "—" }
        let cpuEnd = controller.cpuSeconds ?? 0
        let errors = controller.log.split(separator: "\n").filter { $0.contains("error") }.count
        let status = controller.stop()
        cleanup.controller = nil

        let meanRound = rounds > 0 ? roundTime / rounds : .zero
        return RowResult(
            row: "API change → rules on every host", hosts: hosts, changes: changes, samples: samples,
            synced: nil, ready: ready - controller.started, peakRSSKB: peak,
            cpu: String(format: "%.2f s (%.2f s to ready)", cpuEnd, cpuAtReady),
            notes: [
                "real SSH (ssh.mode: \(restricted ? "restricted" : "shell")), --min-interval \(minInterval), --concurrency \(concurrency.map(String.init) ?? "32 (default)")",
                "each change one merge PATCH of a pod's app label (\(changes / 2 + changes % 2) joins, \(changes / 2) leaves of the peer)",
                "in place = the address in/out of \(setName) on all \(hosts) hosts, asked of each host's kernel (ipset test) every \(Format.millis(pollInterval)) + a poll round of \(String(format: "%.1f", meanRound.milliseconds)) ms mean",
                "the controller's /metrics over the changes: \(Int(hostRuns.count)) host runs of \(meanMs(hostRuns)) mean, \(Int(reconciles.count)) reconcile steps of \(meanMs(reconciles)) mean, SSH connections \(newConnections) new and \(reusedConnections) kept ones reused",
                "PATCH itself \(Format.millis(patchTime / max(1, changes))) mean (python urllib client, not in the figures)",
                "controller exit \(status) on SIGTERM, \(errors) log line(s) with \"error\"",
            ])
    }
}
