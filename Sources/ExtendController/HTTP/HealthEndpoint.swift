import Hummingbird
import Logging
import Prometheus

/// The one HTTP listener: `/healthz` (the process is alive), `/readyz`
/// (watches synced and, as leader, the first full reconcile done) and
/// `/metrics` (Prometheus text). It is a `Service` of the controller's group.
public enum HealthEndpoint {
    public static func application(host: String, port: Int, status: ControllerStatus, registry: PrometheusCollectorRegistry,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let s = status.snapshot
            // Ready (synced, converged once) yet something fails now, a watch or the record: 200, and what.
            if status.ready { return text(.ok, s.problems.isEmpty ? "ready\n" : "ready, but: \(s.problems.joined(separator: "; "))\n") }
            var why = s.synced ? "the first reconcile of every host is not done yet" : "the cluster watches have not synced yet"
            if !s.problems.isEmpty { why += "; " + s.problems.joined(separator: "; ") }
            return text(.serviceUnavailable, "not ready: \(why)\n")
        }
        router.get("metrics") { _, _ -> Response in
            var out = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            out.headers[.contentType] = "text/plain; version=0.0.4"
            return out
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "netpol-extend"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
