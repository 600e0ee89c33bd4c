import ExtendSSH
import Foundation
import LabSupport
import Testing

extension LabBacked {
    @Suite("Connecting")
    struct Connecting {
        @Test("an address nobody answers fails within the connect timeout, naming the host")
        func unreachable() async throws {
            try await Lab.withHosts(count: 1) { lab in
                var endpoint = lab.endpoint(lab.hosts[0], connectTimeout: .seconds(1))
                endpoint.name = "ghost"
                endpoint.address = lab.unusedAddress
                let started = ContinuousClock.now
                let error = await connectError(endpoint)
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .milliseconds(2500))
                #expect(error?.stage == .timeout || error?.stage == .connect)
                #expect(error?.description.contains("ghost (\(lab.unusedAddress):22)") == true)
            }
        }

        @Test("a host whose sshd is down refuses the connection, and the error names it")
        func refused() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                lab.killSSHD(host)
                let error = await connectError(lab.endpoint(host))
                #expect(error?.stage == .connect)
                #expect(error?.description.contains("Connection refused") == true)
                expectNamesHost(error, host)
                try lab.startSSHD(host)
                let result = try await runOnce(lab.endpoint(host), "echo back")
                #expect(result.stdoutText == "back\n")
            }
        }

        @Test("a connection held by the controller can be kept alive and closed twice")
        func keepaliveAndClose() async throws {
            try await Lab.withHosts(count: 1) { lab in
                let connection = try await SSHTransport.connect(lab.endpoint(lab.hosts[0]))
                let next = try await SSHTransport.offload { try connection.sendKeepalive() }
                #expect(next > .zero)
                connection.close()
                connection.close()
                #expect(!connection.isOpen)
                let error = await #expect(throws: SSHError.self) {
                    _ = try await SSHTransport.run(connection, "true")
                }
                #expect(error?.stage == .closed)
            }
        }

        @Test("hosts connect concurrently, each over its own connection")
        func concurrentHosts() async throws {
            try await Lab.withHosts(count: 4) { lab in
                let names = try await withThrowingTaskGroup(of: String.self) { group in
                    for host in lab.hosts {
                        let endpoint = lab.endpoint(host)
                        group.addTask { try await runOnce(endpoint, "cat /proc/sys/kernel/hostname >/dev/null; echo \(host.name)").stdoutText }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(names) == Set(lab.hosts.map { "\($0.name)\n" }))
            }
        }
    }
}
