import ExtendSSH
import Foundation
import LabSupport
import Testing

extension LabBacked {
    @Suite("Host key verification")
    struct HostKeys {
        @Test("a plain known_hosts entry is accepted")
        func plainEntry() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let file = try lab.writeKnownHosts([Lab.knownHostsLine(for: host)], named: "plain")
                let result = try await runOnce(lab.endpoint(host, knownHosts: file), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("a hashed (|1|) known_hosts entry is accepted")
        func hashedEntry() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let file = try lab.writeKnownHosts([Lab.knownHostsLine(for: host)], named: "hashed", hashed: true)
                let text = try String(contentsOfFile: file, encoding: .utf8)
                #expect(text.hasPrefix("|1|"))
                #expect(!text.contains(host.address))
                let result = try await runOnce(lab.endpoint(host, knownHosts: file), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("an [address]:2222 entry is accepted with sshd on port 2222", arguments: [false, true])
        func bracketedPortEntry(hashed: Bool) async throws {
            try await Lab.withHosts(count: 1, sshPort: 2222) { lab in
                let host = lab.hosts[0]
                #expect(host.port == 2222)
                let line = Lab.knownHostsLine(for: host)
                #expect(line.hasPrefix("[\(host.address)]:2222 "))
                let file = try lab.writeKnownHosts([line], named: "bracketed", hashed: hashed)
                let result = try await runOnce(lab.endpoint(host, knownHosts: file), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("an unknown host key is refused, naming the host and the known_hosts file")
        func unknownKey() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0]
                // Only the other host is known.
                let file = try lab.writeKnownHosts([Lab.knownHostsLine(for: lab.hosts[1])], named: "other-only")
                let error = await connectError(lab.endpoint(host, knownHosts: file))
                #expect(error?.stage == .hostKey)
                #expect(error?.description.contains("host key for \(host.name) (\(host.address):22) is not in \(file)") == true)
                #expect(error?.description.contains("SHA256:") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("a changed host key is refused")
        func changedKey() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let stranger = try lab.makeStrangerHostKey()
                let file = try lab.writeKnownHosts([Lab.knownHostsLine(for: host, key: stranger)], named: "changed")
                let error = await connectError(lab.endpoint(host, knownHosts: file))
                #expect(error?.stage == .hostKey)
                #expect(error?.description.contains("does not match \(file)") == true)
                #expect(error?.description.contains("refusing") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("a key marked @revoked is refused even when also listed")
        func revokedKey() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let keyFields = host.hostPublicKey.split(separator: " ").prefix(2).joined(separator: " ")
                let file = try lab.writeKnownHosts(
                    [Lab.knownHostsLine(for: host), "@revoked * \(keyFields)"], named: "revoked")
                let error = await connectError(lab.endpoint(host, knownHosts: file))
                #expect(error?.stage == .hostKey)
                #expect(error?.description.contains("@revoked in \(file):2") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("a missing known_hosts file is a clear error before anything is sent")
        func missingFile() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let missing = lab.path("no-such-known-hosts")
                let error = await connectError(lab.endpoint(host, knownHosts: missing))
                #expect(error?.stage == .configuration)
                #expect(error?.description.contains("known_hosts file \(missing)") == true)
                #expect(error?.description.contains("No such file") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("lines libssh2 cannot parse are skipped, the rest still verify")
        func unparseableLinesSkipped() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let file = try lab.writeKnownHosts([
                    "# a comment",
                    "@cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ",
                    "garbage-without-a-key",
                    Lab.knownHostsLine(for: host),
                ], named: "messy")
                let result = try await runOnce(lab.endpoint(host, knownHosts: file), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }
    }
}
