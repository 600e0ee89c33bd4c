import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Host tests need root, network namespaces, sshd, iptables and ipset.
    /// Where they are missing the tests are skipped, except under CI (`CI`
    /// set): CI runs as root, so there a missing prerequisite fails them.
    static var hostLabAvailable: Self {
        .enabled(
            if: Lab.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
            "needs root, network namespaces and /usr/sbin/sshd (see Lab.missingPrerequisites)")
    }
}

/// Every test that builds a lab lives in a suite nested in this one, so they
/// run one at a time: on two cores, parallel applies with real rollback
/// timers would make the timing noisy.
@Suite("The host agent against real hosts", .serialized, .hostLabAvailable)
struct HostLabBacked {}

/// The inventory namespace the non-conformance tests put their hosts in.
let labNamespace = "lab"

extension Lab {
    /// An endpoint for `host` with the lab's known_hosts and unencrypted key,
    /// no agent, and a short connect timeout.
    func endpoint(_ host: LabHost, name: String? = nil, key: LabKey? = nil, knownHosts: String? = nil,
                  user: String? = nil, address: String? = nil, connectTimeout: Duration = .seconds(5)) -> SSHEndpoint {
        let key = key ?? clientKey
        return SSHEndpoint(
            name: name ?? host.name, address: address ?? host.address, port: host.port, user: user ?? self.user,
            identityFile: key.path, passphrase: key.passphrase, knownHostsFile: knownHosts ?? knownHostsPath,
            connectTimeout: connectTimeout, commandTimeout: .seconds(60), useAgent: false)
    }

    /// This lab's management source: the bridge address our SSH comes from.
    var managementCIDR: CIDR { CIDR(managementAddress + "/32")! }

    /// `host` as an inventory host in namespace `lab`, at its lab address,
    /// with the lab's bridge as its management source (unless told otherwise).
    func legacyHost(_ host: LabHost, labels: Labels = [:], ports: [NamedPort] = [],
                    management: [CIDR]? = nil, persist: Bool = false) -> LegacyHost {
        var ssh = SSHSettings()
        ssh.address = host.address
        ssh.port = host.port
        return LegacyHost(name: host.name, namespace: labNamespace, labels: labels, addresses: [IPAddress(host.address)!],
                          ports: ports, ssh: ssh, management: management ?? [managementCIDR], persist: persist)
    }

    /// One agent per host, each with the desired state its policies compile to.
    func agents(_ hosts: [LegacyHost], policies: [NetworkPolicy], cluster: ClusterState = ClusterState(),
                extraGuard: [CIDR] = [], options: HostAgent.Options = .lab) throws -> [HostAgent] {
        var state = cluster
        state.policies += policies
        let inventory = Inventory(namespaces: [Namespace(name: labNamespace, labels: ["env": "lab"], virtual: true)],
                                  hosts: hosts, source: "lab-inventory")
        let (world, problems) = World.build(cluster: state, inventory: inventory)
        guard problems.isEmpty else { throw LabError("the test's world is faulty: \(problems)") }
        let compiler = Compiler(world: world)
        return hosts.map { h in
            let lab = self.hosts.first { $0.address == h.connectAddress }!
            return HostAgent(endpoint: endpoint(lab, name: h.name), desired: compiler.compile(h, extraGuard: extraGuard),
                             options: options)
        }
    }
}

extension HostAgent.Options {
    /// For applies that are meant to be confirmed: a timer long enough that a
    /// busy two-core machine never lets a rollback overtake its confirmation.
    static var lab: Self {
        var o = Self()
        o.rollbackAfter = 20
        return o
    }

    /// For applies that are meant to go unconfirmed: the host reverts within 3 s.
    static var shortRollback: Self {
        var o = Self()
        o.rollbackAfter = 3
        return o
    }
}

extension HostAgent {
    /// `apply()` on a thread of its own.
    func applyOffPool() async throws -> HostReport {
        let agent = self
        return try await SSHTransport.offload(name: "apply \(endpoint.name)") { agent.apply() }
    }

    func diffOffPool() async throws -> HostReport {
        let agent = self
        return try await SSHTransport.offload(name: "diff \(endpoint.name)") { agent.diff() }
    }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes;
/// returns whether it held.
func poll(timeout: Duration, interval: Duration = .milliseconds(100),
          _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// A flag one task sets and another polls.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Runs `body` on a thread of its own (for blocking lab commands run in parallel).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await SSHTransport.offload(name: "lab") { try body() }
}

extension Lab {
    /// Runs `script` with `sh -c` inside `host` and throws unless it exits 0.
    @discardableResult
    func shell(_ host: LabHost, _ script: String, stdin: [UInt8] = []) throws -> String {
        let r = try exec(in: host, ["sh", "-c", script], stdin: stdin)
        guard r.succeeded else {
            throw LabError("\(host.name): `\(script)` exited \(r.status): \(r.stderrText)")
        }
        return r.stdoutText
    }

    /// The end of the host's sshd log, for failure messages.
    func sshdLogTail(_ host: LabHost, lines: Int = 30) -> String {
        let log = (try? String(contentsOfFile: host.sshdLogPath, encoding: .utf8)) ?? "(no log)"
        return log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Whether `from` can open a TCP connection to `address:port` within a second.
    func canConnect(from: LabHost, to address: String, port: Int) throws -> Bool {
        try Traffic.requirePython()
        let script = """
            import socket, sys
            s = socket.socket(); s.settimeout(1.0)
            try:
                s.connect((sys.argv[1], int(sys.argv[2]))); print("open")
            except OSError as e:
                print("closed", e)
            """
        let r = try exec(in: from, [Traffic.python, "-c", script, address, String(port)])
        return r.stdoutText.hasPrefix("open")
    }
}

/// The package root, from this file's place in it.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
