import ExtendSSH
import Foundation
import LabSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Lab tests need root, network namespaces and sshd. Where they are
    /// missing the tests are skipped, except under CI (`CI` set): CI runs as
    /// root, so there a missing prerequisite fails the tests instead of
    /// hiding them.
    static var labAvailable: Self {
        .enabled(
            if: Lab.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
            "needs root, network namespaces and /usr/sbin/sshd (see Lab.missingPrerequisites)")
    }
}

/// Every test that builds a lab lives in this suite or one nested in it, so
/// they run one at a time: on two cores, parallel sshd handshakes would make
/// the timing assertions noisy.
@Suite("Against real sshd in network namespaces", .serialized, .labAvailable)
struct LabBacked {}

extension Lab {
    /// An endpoint for `host` with the lab's plain known_hosts and unencrypted
    /// client key, no agent (whatever SSH_AUTH_SOCK says), and short timeouts.
    func endpoint(
        _ host: LabHost,
        key: LabKey? = nil,
        knownHosts: String? = nil,
        user: String? = nil,
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(60)
    ) -> SSHEndpoint {
        let key = key ?? clientKey
        return SSHEndpoint(
            name: host.name, address: host.address, port: host.port, user: user ?? self.user,
            identityFile: key.path, passphrase: key.passphrase,
            knownHostsFile: knownHosts ?? knownHostsPath,
            connectTimeout: connectTimeout, commandTimeout: commandTimeout,
            useAgent: false)
    }
}

/// Connects, runs one command, closes; all off the cooperative pool.
func runOnce(_ endpoint: SSHEndpoint, _ command: String, stdin: [UInt8] = []) async throws -> CommandResult {
    try await SSHTransport.withConnection(endpoint) { connection in
        try connection.run(command, stdin: stdin)
    }
}

/// The error a connect attempt ends with, or nil when it succeeds.
func connectError(_ endpoint: SSHEndpoint) async -> SSHError? {
    do {
        let connection = try await SSHTransport.connect(endpoint)
        connection.close()
        return nil
    } catch let error as SSHError {
        return error
    } catch {
        Issue.record("expected an SSHError, got \(error)")
        return nil
    }
}

/// Asserts the error names the host the way every SSHError must: by name and address:port.
func expectNamesHost(_ error: SSHError?, _ host: LabHost, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { return }
    #expect(error.description.contains(host.name), sourceLocation: sourceLocation)
    #expect(error.description.contains("\(host.address):\(host.port)"), sourceLocation: sourceLocation)
}

/// `count` random bytes, quickly (a word at a time).
func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset < raw.count {
            let word = generator.next()
            withUnsafeBytes(of: word) { wordBytes in
                for byte in wordBytes where offset < raw.count {
                    raw[offset] = byte
                    offset += 1
                }
            }
        }
    }
    return bytes
}
