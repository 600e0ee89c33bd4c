import ExtendCore
import Testing

/// The lockout guard is ours, not NetworkPolicy's: explain must say what the
/// dataplane does, so SSH from a management source to an isolated host is allowed.
@Suite struct LockoutGuardExplainTests {
    static func world() -> World {
        var ssh = SSHSettings()
        ssh.port = 2222
        let host = LegacyHost(name: "db", namespace: "legacy", labels: ["app": "db"], addresses: [IPAddress("198.18.1.10")!],
                              ssh: ssh, management: [CIDR("198.18.0.0/24")!])
        let denyAll = NetworkPolicy(namespace: "legacy", name: "deny-all", podSelector: .everything, policyTypes: [.ingress])
        let inventory = Inventory(namespaces: [Namespace(name: "legacy", virtual: true)], hosts: [host])
        return World.build(cluster: ClusterState(policies: [denyAll]), inventory: inventory).0
    }

    @Test("SSH from a management source is allowed by the guard, naming it", arguments: [
        ("198.18.0.7", 2222, Proto.tcp, "allow"),
        ("198.18.0.7", 22, Proto.tcp, "deny"),     // not the host's SSH port
        ("198.18.0.7", 2222, Proto.udp, "deny"),   // SSH is TCP
        ("198.18.9.7", 2222, Proto.tcp, "deny"),   // not a management source
    ])
    func guardInExplain(_ from: String, _ port: Int, _ proto: Proto, _ verdict: String) throws {
        let e = try Explainer(world: Self.world()).explain(from: from, to: "legacy/db", port: port, proto: proto)
        #expect(e.verdict == verdict)
        #expect(e.reasons.contains { $0.contains("lockout guard") } == (verdict == "allow"))
    }
}
