import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LabSupport
import Testing

extension HostLabBacked.ControllerLab {
    /// /metrics' body (empty when it cannot be fetched).
    static func metrics(port: Int) async -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"),
              let (data, _) = try? await URLSession.shared.data(from: url) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of the one sample of `name` whose labels include every one of `labels`.
    static func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let close = line.lastIndex(of: "}") else { continue }
            let inside = line[line.index(line.startIndex, offsetBy: name.count + 1)..<close]
            if labels.allSatisfy({ inside.contains("\($0.key)=\"\($0.value)\"") }) {
                return Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    @Test("the resync reads the host's counters into netpol_extend_policy_packets_total: packets the policy admitted and packets it denied, per host, policy and direction")
    func policyPacketMetrics() async throws {
        try await Self.withControllerLab(extra: ["--resync", "6"]) { s in
            let (lab, db, a, b, controller) = (s.lab, s.db, s.a, s.b, s.controller)
            func log() -> String { s.log() }
            #expect(await Self.ready(log), "/readyz:\n\(log())")
            let port = try #require(Self.listeningPort(log()))
            // Two admitted connections (api-a), one denied (web-b: its SYN and its retransmissions).
            #expect(try lab.canConnect(from: a, to: db.address, port: 5432))
            #expect(try lab.canConnect(from: a, to: db.address, port: 5432))
            #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))
            let policy = ["host": db.name, "policy": "\(labNamespace)/db", "direction": "ingress"]
            var text = ""
            // No cluster change: only the resync (every 6 s) runs the host and reads its counters.
            var seen = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !seen && ContinuousClock.now < deadline {
                text = await Self.metrics(port: port)
                seen = (Self.sample(text, "netpol_extend_policy_packets_total", policy.merging(["verdict": "allowed"]) { a, _ in a }) ?? 0) >= 2
                if !seen { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(seen, "metrics:\n\(text)\nlog:\n\(log())")
            #expect(Self.sample(text, "netpol_extend_policy_packets_total", policy.merging(["verdict": "allowed"]) { a, _ in a }) == 2, "\(text)")
            #expect((Self.sample(text, "netpol_extend_policy_packets_total", policy.merging(["verdict": "denied"]) { a, _ in a }) ?? 0) >= 1, "\(text)")
            kill(controller.processIdentifier, SIGTERM)
        }
    }
}
