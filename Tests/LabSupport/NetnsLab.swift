import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Throwaway hosts for real-kernel tests, without sshd: Linux network
/// namespaces joined by one bridge, each with its own iptables, ipset and
/// conntrack, and (optionally) a listener answering on TCP, UDP and, where the
/// kernel has it, SCTP.
///
/// Nothing here touches the machine's own networking. The bridge lives in the
/// root namespace with no address at all (pure layer 2) and answers no ARP,
/// so no route changes and concurrent labs, which reuse the same addresses on
/// bridges of their own, never meet. Every host's addresses carry a /15 (IPv6: a /32), so every
/// peer is on-link and no host needs a route. Every name carries the lab's
/// random id: namespaces `npk-<id>-<i>`, bridge `npkbr<id>`, veths
/// `npkv<id><i>`; processes are stopped by their recorded pid, never by name.
/// (Where br_netfilter is loaded, bridged frames also cross the root
/// namespace's FORWARD chain, which is only read: `missingPrerequisites`
/// reports a DROP policy there.)
///
/// Build one with `withLab`, which tears it down however the body ends; a
/// setup that fails half-way removes what it had made before it throws.
///
/// Its methods block (they wait for processes); a lab is safe to use from
/// several threads at once (its only mutable state is behind a lock).
public final class NetnsLab: @unchecked Sendable {
    /// Six hex digits, unique per lab; in every name the lab gives.
    public let id: String
    /// The bridge in the root namespace: `npkbr<id>`.
    public let bridge: String
    /// The lab's temporary directory (scripts, payloads, logs).
    public let directory: String
    public let hosts: [NetnsHost]
    /// The ports every host's listener serves (empty: no listeners).
    public let ports: [Int]
    /// The protocols the listeners serve: TCP and UDP, plus SCTP where the kernel has it.
    public let protocols: [NetnsProbe.Proto]

    let resources = NetnsResources()
    private let counterLock = NSLock()
    private var counter = 0

    /// Builds a lab, runs `body` with it, and tears the lab down however `body` ends.
    /// - Parameter ports: each host's listener serves these on every protocol; empty: no listeners.
    public static func withLab<T>(
        _ specs: [NetnsHost.Spec], listening ports: [Int] = [80, 81], _ body: (NetnsLab) throws -> T
    ) throws -> T {
        let lab = try NetnsLab(specs, listening: ports)
        defer { lab.tearDown() }
        return try body(lab)
    }

    /// Builds a lab. Call `tearDown()` when done (or use `withLab`). On
    /// failure, whatever was already made is removed before the error is thrown.
    public init(_ specs: [NetnsHost.Spec], listening ports: [Int] = [80, 81]) throws(LabError) {
        guard (1...99).contains(specs.count) else { throw LabError("a kernel lab has 1 to 99 hosts, not \(specs.count)") }
        guard Set(specs.map(\.name)).count == specs.count else { throw LabError("host names in a kernel lab must be unique") }
        if let missing = NetnsLab.missingPrerequisites.first {
            throw LabError("cannot build a kernel lab on this machine: \(missing)")
        }
        // Names are only ever ours if nothing on the machine carries them yet.
        var id = NetnsLab.randomHex(6)
        while FileManager.default.fileExists(atPath: "/sys/class/net/npkbr\(id)")
                || FileManager.default.fileExists(atPath: "/run/netns/npk-\(id)-0") {
            id = NetnsLab.randomHex(6)
        }
        self.id = id
        bridge = "npkbr\(id)"
        self.ports = ports
        protocols = [.tcp, .udp] + (NetnsLab.sctpAvailable ? [.sctp] : [])
        hosts = specs.enumerated().map { i, spec in
            NetnsHost(name: spec.name, index: i, netns: "npk-\(id)-\(i)", veth: "npkv\(id)\(i)", addresses: spec.addresses)
        }
        do {
            directory = try NetnsLab.makeDirectory(id: id, resources: resources)
            try buildNetwork()
            if !ports.isEmpty { try startListeners() }
        } catch {
            let problems = resources.tearDown()
            let note = problems.isEmpty ? "" : " (and teardown left: \(problems.joined(separator: "; ")))"
            throw LabError("building kernel lab \(id) failed: \(error)\(note)")
        }
    }

    /// Removes everything this lab made: its processes (recorded pids, then
    /// whatever is left inside its namespaces), namespaces, links, directory.
    /// Problems are reported on stderr and returned, never thrown. Safe to call more than once.
    @discardableResult
    public func tearDown() -> [String] {
        let problems = resources.tearDown()
        for problem in problems {
            FileHandle.standardError.write(Data("kernel lab \(id) teardown: \(problem)\n".utf8))
        }
        return problems
    }

    public func host(_ name: String) -> NetnsHost? { hosts.first { $0.name == name } }

    /// The pids of the processes this lab started and has not yet stopped.
    public var processIDs: [Int32] { resources.recordedProcesses }

    /// A fresh path inside the lab's directory.
    public func path(_ name: String) -> String {
        let n = counterLock.withLock {
            counter += 1
            return counter
        }
        return directory + "/\(n)-" + name
    }

    // MARK: Building

    /// The bridge, then every host's namespace and veth in one `ip -batch`
    /// from the root namespace, then each namespace's own settings.
    private func buildNetwork() throws(LabError) {
        resources.record(link: bridge)
        // No IPv6 link-local addresses anywhere and no multicast snooping: the
        // bridge floods neighbour solicitations and carries nothing of its own.
        var root = ["link add \(bridge) type bridge mcast_snooping 0",
                    "link set dev \(bridge) addrgenmode none",
                    "link set dev \(bridge) up"]
        for h in hosts {
            resources.record(namespace: h.netns)
            resources.record(link: h.veth)
            root += ["netns add \(h.netns)",
                     "link add \(h.veth) type veth peer name eth0 netns \(h.netns)",
                     "link set dev \(h.veth) addrgenmode none",
                     "link set dev \(h.veth) master \(bridge)",
                     "link set dev \(h.veth) up"]
        }
        try batch(root, in: nil)
        // The root namespace must not answer for itself on the lab's segment:
        // with the default arp_ignore it would answer ARP for any of its own
        // addresses (another lab's bridge may hold one of ours), and take the
        // traffic. Set before any host has an address, so before any ARP.
        try NetnsLab.write("8", sysctl: "ipv4/conf/\(bridge)/arp_ignore")
        try NetnsLab.write("1", sysctl: "ipv6/conf/\(bridge)/disable_ipv6")
        let inside = try hosts.map { h throws(LabError) in
            var lines = ["link set dev lo up", "link set dev eth0 addrgenmode none"]
            for a in h.addresses {
                // nodad: the address is usable at once, not tentative for a second.
                lines.append(a.contains(":") ? "addr add \(a)/32 dev eth0 nodad" : "addr add \(a)/15 dev eth0")
            }
            lines.append("link set dev eth0 up")
            return try startBatch(lines, in: h)
        }
        for command in inside {
            let result = try command.wait(timeout: .seconds(30))
            if !result.succeeded { throw LabError(result.description) }
        }
    }

    /// Sets a sysctl of one of the lab's own devices (`/proc/sys/net/…`).
    private static func write(_ value: String, sysctl: String) throws(LabError) {
        let path = "/proc/sys/net/" + sysctl
        guard let handle = FileHandle(forWritingAtPath: path) else { throw LabError("cannot open \(path)") }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data(value.utf8))
        } catch {
            throw LabError("cannot write \(value) to \(path): \(error)")
        }
    }

    private func batch(_ lines: [String], in host: NetnsHost?) throws(LabError) {
        let result = try startBatch(lines, in: host).wait(timeout: .seconds(30))
        if !result.succeeded { throw LabError(result.description) }
    }

    private func startBatch(_ lines: [String], in host: NetnsHost?) throws(LabError) -> NetnsCommand.Running {
        let file = path("ip-batch")
        guard FileManager.default.createFile(atPath: file, contents: Data(lines.map { $0 + "\n" }.joined().utf8)) else {
            throw LabError("cannot write \(file)")
        }
        let argv = ["ip"] + (host.map { ["-n", $0.netns] } ?? []) + ["-batch", file]
        return try NetnsCommand.start(argv, stdin: nil, scratch: path("ip"))
    }

    private static func makeDirectory(id: String, resources: NetnsResources) throws(LabError) -> String {
        var template = Array("/tmp/npk-lab-\(id)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw LabError("cannot create a kernel lab directory: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        resources.record(directory: path)
        return path
    }

    static func randomHex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }
}
