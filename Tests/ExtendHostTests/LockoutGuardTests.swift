import ConformanceSupport
import ExtendCore
import ExtendSSH
import LabSupport
import Testing

extension HostLabBacked {
    /// The lockout guard: whatever the policies say, the management sources
    /// keep SSH, including sessions that were open before the rules came.
    @Suite("Lockout guard")
    struct LockoutGuard {
        @Test("deny-everything policies: SSH from the management source still works (new and already-open connections); another host cannot reach port 22")
        func denyAllKeepsManagementSSH() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0], other = lab.hosts[1]
                #expect(try lab.canConnect(from: other, to: host.address, port: host.port), "before the rules, port 22 is open to the other host")

                let hosts = [lab.legacyHost(host, labels: ["role": "vault"]), lab.legacyHost(other, labels: ["role": "other"])]
                let denyAll = NP.policy(labNamespace, "deny-all", select: NP.labels(["role": "vault"]), types: [.ingress, .egress])
                // No extra guard: the management list alone must keep us in.
                let agent = try lab.agents(hosts, policies: [denyAll], extraGuard: [])[0]
                #expect(agent.desired.table(.inet)?.chains.first?.rules.contains { $0.words.contains(lab.managementCIDR.description) } == true)

                let opened = try await SSHTransport.connect(lab.endpoint(host))
                defer { opened.close() }
                #expect(try await SSHTransport.run(opened, "echo before").stdoutText == "before\n")

                let report = try await agent.applyOffPool()
                #expect(report.status == .applied, "\(report.message)")
                let state = try HostState.read(lab, host)
                #expect(state.ours.split(separator: "\n").contains { $0.hasPrefix("-A NPX-INPUT -m comment --comment \"npx:deny ingress ") && $0.hasSuffix("\" -j DROP") },
                        "\(state)")

                // The connection opened before the apply still carries commands.
                #expect(try await SSHTransport.run(opened, "echo after").stdoutText == "after\n")
                // A new connection and command.
                let fresh = try await SSHTransport.withConnection(lab.endpoint(host)) { c in try c.run("echo fresh") }
                #expect(fresh.stdoutText == "fresh\n")
                // Another host is not a management source: port 22 is closed to it.
                #expect(!(try lab.canConnect(from: other, to: host.address, port: host.port)))
                // Nor does the host reach out (egress isolated, nothing admitted).
                #expect(!(try lab.canConnect(from: host, to: other.address, port: other.port)))

                let diff = try await agent.diffOffPool()
                #expect(diff.status == .inSync, "\(diff.message)\nsshd log:\n\(lab.sshdLogTail(host))")
            }
        }
    }
}
