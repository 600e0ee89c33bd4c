import ExtendSSH
import Foundation
import LabSupport
import Testing

extension LabBacked {
    @Suite("Authentication")
    struct Authentication {
        @Test("a wrong user is refused with a message naming user, host and key file")
        func wrongUser() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let error = await connectError(lab.endpoint(host, user: "npx-no-such-user"))
                #expect(error?.stage == .auth)
                #expect(error?.description.contains("authentication as npx-no-such-user to") == true)
                #expect(error?.description.contains(lab.clientKey.path) == true)
                expectNamesHost(error, host)
            }
        }

        @Test("an encrypted key works with its passphrase")
        func encryptedKeyRightPassphrase() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let connection = try await SSHTransport.connect(lab.endpoint(lab.hosts[0], key: lab.encryptedClientKey))
                defer { connection.close() }
                #expect(connection.authentication == "key file \(lab.encryptedClientKey.path)")
                let result = try await SSHTransport.run(connection, "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("a wrong passphrase fails naming the key file, and no passphrase ever appears in errors or descriptions")
        func passphraseNeverShown() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let right = try #require(lab.encryptedClientKey.passphrase)
                let wrong = "wrong-" + right
                var endpoint = lab.endpoint(host, key: lab.encryptedClientKey)
                endpoint.passphrase = wrong
                let error = await connectError(endpoint)
                #expect(error?.stage == .auth)
                #expect(error?.description.contains(lab.encryptedClientKey.path) == true)
                #expect(error?.description.contains("passphrase given") == true)
                expectNamesHost(error, host)

                endpoint.passphrase = nil
                let withoutPassphrase = await connectError(endpoint)
                #expect(withoutPassphrase?.description.contains("no passphrase was given") == true)

                var rendered: [String] = []
                for failure in [error, withoutPassphrase].compactMap({ $0 }) {
                    rendered += [String(describing: failure), String(reflecting: failure), failure.message,
                                 "\(failure)", (failure as any Error).localizedDescription]
                }
                endpoint.passphrase = right
                var dumped = ""
                dump(endpoint, to: &dumped)
                rendered += [String(describing: endpoint), String(reflecting: endpoint), "\(endpoint)", dumped]
                for text in rendered {
                    #expect(!text.contains(right))
                    #expect(!text.contains("lab-passphrase-"))
                }
            }
        }

        @Test("ed25519 and ecdsa client keys work", arguments: [LabKeyType.ed25519, .ecdsa])
        func keyTypes(type: LabKeyType) async throws {
            try await Lab.withHosts(count: 1) { lab in
                let key = try lab.makeKey(named: "client-\(type.rawValue)", type: type)
                let result = try await runOnce(lab.endpoint(lab.hosts[0], key: key), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("an RSA key is refused by OpenSSH 9 (libssh2 1.10 signs with SHA-1), and the message says why")
        func rsaKeyExplained() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let key = try lab.makeKey(named: "client-rsa", type: .rsa)
                let error = await connectError(lab.endpoint(host, key: key))
                #expect(error?.stage == .auth)
                #expect(error?.description.contains("RSA key") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("an RSA key in OpenSSH format works against a host that still accepts ssh-rsa signatures (OpenSSH before 8.8, or configured so)")
        func rsaKeyOnOlderHost() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                // What an older legacy host does by default (CentOS 7's OpenSSH 7.4, for one).
                lab.killSSHD(host)
                let handle = try #require(FileHandle(forWritingAtPath: host.sshdConfigPath))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("PubkeyAcceptedAlgorithms +ssh-rsa\n".utf8))
                try handle.close()
                try lab.startSSHD(host)
                let key = try lab.makeKey(named: "client-rsa", type: .rsa)
                #expect(try String(contentsOfFile: key.path, encoding: .utf8).hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
                let result = try await runOnce(lab.endpoint(host, key: key), "echo ok")
                #expect(result.stdoutText == "ok\n")
            }
        }

        @Test("a key the host does not authorize is refused")
        func unauthorizedKey() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let key = try lab.makeKey(named: "not-authorized", authorize: false)
                let error = await connectError(lab.endpoint(host, key: key))
                #expect(error?.stage == .auth)
                #expect(error?.description.contains("the server refused the key in \(key.path)") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("a missing key file is named")
        func missingKeyFile() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                var endpoint = lab.endpoint(host)
                endpoint.identityFile = lab.path("no-such-key")
                let error = await connectError(endpoint)
                #expect(error?.stage == .auth)
                #expect(error?.description.contains("key file \(lab.path("no-such-key")) cannot be read") == true)
                expectNamesHost(error, host)
            }
        }

        @Test("keys from an ssh-agent on a given socket authenticate, without touching the environment")
        func agent() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let key = try lab.makeKey(named: "agent-only")
                let socket = try lab.startAgent(adding: [key])
                var endpoint = lab.endpoint(lab.hosts[0])
                endpoint.identityFile = nil
                endpoint.useAgent = true
                endpoint.agentSocket = socket
                let environmentBefore = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"]
                let connection = try await SSHTransport.connect(endpoint)
                defer { connection.close() }
                #expect(connection.authentication == "ssh-agent key \"lab key agent-only\"")
                let result = try await SSHTransport.run(connection, "echo ok")
                #expect(result.stdoutText == "ok\n")
                #expect(ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] == environmentBefore)
            }
        }

        @Test("when the agent's keys are refused, the key file is tried next")
        func agentThenKeyFile() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let stranger = try lab.makeKey(named: "agent-stranger", authorize: false)
                let socket = try lab.startAgent(adding: [stranger])
                var endpoint = lab.endpoint(lab.hosts[0])
                endpoint.useAgent = true
                endpoint.agentSocket = socket
                let connection = try await SSHTransport.connect(endpoint)
                defer { connection.close() }
                #expect(connection.authentication == "key file \(lab.clientKey.path)")
            }
        }

        @Test("with neither agent nor key file, the error lists what was tried")
        func noCredentials() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                var endpoint = lab.endpoint(host)
                endpoint.identityFile = nil
                endpoint.useAgent = true
                endpoint.agentSocket = lab.path("no-agent.sock")
                let error = await connectError(endpoint)
                #expect(error?.stage == .auth)
                #expect(error?.description.contains("ssh-agent at \(lab.path("no-agent.sock")) could not be used") == true)
                expectNamesHost(error, host)
            }
        }
    }
}
