import CoreMetrics
import Foundation
import Metrics

/// What the controller reports on /metrics (through swift-metrics; the
/// Prometheus backend is bootstrapped by the command). Names follow
/// Prometheus conventions, prefixed `netpol_extend_`.
public struct ControllerMetrics: Sendable {
    /// Host runs by outcome (in-sync, changed, planned, failed).
    public func hostRun(_ result: HostResult) {
        Counter(label: "netpol_extend_host_runs_total", dimensions: [("outcome", result.outcome.rawValue)]).increment()
        Timer(label: "netpol_extend_host_run_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(nanoseconds(result.duration))
        if result.succeeded {
            Gauge(label: "netpol_extend_host_last_success_timestamp_seconds", dimensions: [("host", result.host)])
                .record(Self.wallClock())
        }
        if let counters = result.counters { policyPackets.record(host: result.host, counters) }
    }

    /// Hosts by reconcile state (converged, pending, running, failing, removing).
    public func hostStates(_ counts: [String: Int]) {
        for state in ["converged", "pending", "running", "failing", "removing"] {
            Gauge(label: "netpol_extend_hosts", dimensions: [("state", state)]).record(counts[state] ?? 0)
        }
    }

    /// From a cluster change to the runs it caused having been started.
    public func reconcile(_ d: Duration) {
        Timer(label: "netpol_extend_reconcile_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(nanoseconds(d))
    }

    public func inventoryRejected() { Counter(label: "netpol_extend_inventory_rejected_total").increment() }
    public func inventoryLoaded() { Counter(label: "netpol_extend_inventory_loads_total").increment() }

    public func leader(_ leading: Bool) { Gauge(label: "netpol_extend_leader").record(leading ? 1 : 0) }

    /// The watches' health: restarts, relists, whether synced.
    public func watch(resource: String, restarts: Int, relists: Int, synced: Bool) {
        Gauge(label: "netpol_extend_watch_restarts", dimensions: [("resource", resource)]).record(restarts)
        Gauge(label: "netpol_extend_watch_relists", dimensions: [("resource", resource)]).record(relists)
        Gauge(label: "netpol_extend_watch_synced", dimensions: [("resource", resource)]).record(synced ? 1 : 0)
    }

    /// An answer of the API server that is not a success, by HTTP status
    /// (each retried 429 or 5xx, a refused watch, a watch's ERROR event).
    public func apiError(code: Int) {
        Counter(label: "netpol_extend_api_errors_total", dimensions: [("code", String(code))]).increment()
    }

    /// netpol_extend_policy_packets_total (ControllerMetrics+PolicyPackets.swift).
    let policyPackets = PolicyPacketTotals()

    public init() {}

    private func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    private static func wallClock() -> Double { Date().timeIntervalSince1970 }
}
