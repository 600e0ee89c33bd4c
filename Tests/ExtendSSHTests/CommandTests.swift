import ExtendSSH
import Foundation
import LabSupport
import Testing

extension LabBacked {
    @Suite("Running commands")
    struct Commands {
        @Test("runs a command with stdin and returns its stdout and exit status")
        func stdinToStdout() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let result = try await runOnce(lab.endpoint(lab.hosts[0]), "tr a-z A-Z", stdin: Array("hello lab\n".utf8))
                #expect(result.exitStatus == 0)
                #expect(result.stdoutText == "HELLO LAB\n")
                #expect(result.stderr.isEmpty)
                #expect(result.succeeded)
            }
        }

        @Test("reports a nonzero exit status and stderr as a result, not an error")
        func nonzeroExit() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let result = try await runOnce(lab.endpoint(lab.hosts[0]), "echo partial; echo oops >&2; exit 7")
                #expect(result.exitStatus == 7)
                #expect(result.stdoutText == "partial\n")
                #expect(result.stderr == "oops\n")
                #expect(!result.succeeded)
            }
        }

        @Test("4 MiB of stdin round-trips through cat and is counted by wc -c")
        func fourMegabytes() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let input = randomBytes(4 << 20)
                let (echoed, counted) = try await SSHTransport.withConnection(lab.endpoint(lab.hosts[0])) { connection in
                    (try connection.run("cat", stdin: input), try connection.run("wc -c", stdin: input))
                }
                #expect(echoed.exitStatus == 0)
                #expect(echoed.stdout.count == input.count)
                #expect(echoed.stdout == input)
                #expect(counted.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "4194304")
            }
        }

        @Test("several MB of stdout and stderr at once")
        func largeOutput() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let result = try await runOnce(
                    lab.endpoint(lab.hosts[0]), "head -c 8000000 /dev/zero; head -c 3000000 /dev/zero | tr '\\0' e >&2")
                #expect(result.exitStatus == 0)
                #expect(result.stdout.count == 8_000_000)
                #expect(result.stdout.allSatisfy { $0 == 0 })
                #expect(result.stderr.utf8.count == 3_000_000)
            }
        }

        @Test("a conversation: the command's input is written once its output says what to send, in one round trip")
        func conversation() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let r = try await SSHTransport.withConnection(lab.endpoint(lab.hosts[0])) { c in
                    try c.converse("echo 'question 6*7'; read a; echo \"answer $a\"; cat") { out in
                        let text = String(decoding: out, as: UTF8.self)
                        guard text.hasSuffix("\n"), let q = text.split(separator: " ").last else { return nil }
                        let factors = q.dropLast().split(separator: "*").compactMap { Int($0) }
                        return Array("\(factors.reduce(1, *))\nrest\n".utf8)
                    }
                }
                #expect(r.succeeded)
                #expect(r.stdoutText == "question 6*7\nanswer 42\nrest\n")
            }
        }

        @Test("a command that ignores a large stdin still finishes")
        func unreadInput() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let input = [UInt8](repeating: 65, count: 8 << 20)
                let result = try await runOnce(lab.endpoint(lab.hosts[0]), "exit 3", stdin: input)
                #expect(result.exitStatus == 3)
                // sshd takes at most its 2 MiB window plus a pipe's worth before the command exits.
                #expect(result.unreadInput > 0)
            }
        }

        @Test("one connection runs many commands; it prefers curve25519-sha256 and knows its local address")
        func manyCommandsOneConnection() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let connection = try await SSHTransport.connect(lab.endpoint(lab.hosts[0]))
                defer { connection.close() }
                #expect(connection.keyExchange == "curve25519-sha256")
                #expect(connection.hostKeyAlgorithm == "ssh-ed25519")
                #expect(connection.localAddress == lab.managementAddress)
                for index in 0..<20 {
                    let result = try await SSHTransport.run(connection, "echo \(index)")
                    #expect(result.stdoutText == "\(index)\n")
                }
                let seen = try await SSHTransport.run(connection, "echo $SSH_CLIENT")
                #expect(seen.stdoutText.hasPrefix(lab.managementAddress + " "))
                #expect(connection.isOpen)
            }
        }

        @Test("a command killed by a signal reports the signal")
        func exitSignal() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let result = try await runOnce(lab.endpoint(lab.hosts[0]), "kill -KILL $$")
                #expect(result.exitSignal == "KILL")
                #expect(result.exitStatus == 255)
                #expect(!result.succeeded)
            }
        }

        @Test("a command past its timeout fails with .timeout naming the host, and the connection closes")
        func commandTimeout() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let connection = try await SSHTransport.connect(lab.endpoint(host, commandTimeout: .seconds(1)))
                defer { connection.close() }
                let started = ContinuousClock.now
                let error = await #expect(throws: SSHError.self) {
                    _ = try await SSHTransport.run(connection, "sleep 10")
                }
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(error?.stage == .timeout)
                #expect(error?.description.contains("sleep 10") == true)
                expectNamesHost(error, host)
                #expect(!connection.isOpen)
                let after = await #expect(throws: SSHError.self) {
                    _ = try await SSHTransport.run(connection, "true")
                }
                #expect(after?.stage == .closed)
            }
        }

        @Test("cancelling the task interrupts a running command")
        func cancellation() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let connection = try await SSHTransport.connect(lab.endpoint(host))
                defer { connection.close() }
                let started = ContinuousClock.now
                let task = Task { try await SSHTransport.run(connection, "sleep 20") }
                try await Task.sleep(for: .milliseconds(300))
                task.cancel()
                let result = await task.result
                #expect(ContinuousClock.now - started < .seconds(5))
                guard case .failure(let error as SSHError) = result else {
                    Issue.record("expected SSHError, got \(result)")
                    return
                }
                #expect(error.stage == .cancelled)
                expectNamesHost(error, host)
            }
        }

        @Test("each host has private /run/netpol-extend and /var/lib/netpol-extend, seen by SSH and lab.exec alike")
        func privateHostState() async throws {
            try await Lab.withHosts(count: 2) { lab in
                let first = lab.hosts[0]
                let second = lab.hosts[1]
                let wrote = try await runOnce(
                    lab.endpoint(first), "echo \(first.name) > /run/netpol-extend/who && echo ok > /var/lib/netpol-extend/state")
                #expect(wrote.exitStatus == 0)
                let seenOnFirst = try lab.exec(in: first, ["cat", "/run/netpol-extend/who"])
                #expect(seenOnFirst.stdoutText == "\(first.name)\n")
                let seenOnSecond = try await runOnce(lab.endpoint(second), "cat /run/netpol-extend/who")
                #expect(seenOnSecond.exitStatus != 0)
                #expect(!FileManager.default.fileExists(atPath: "/run/netpol-extend/who"))
                #expect(!FileManager.default.fileExists(atPath: "/var/lib/netpol-extend/state"))
            }
        }
    }
}
