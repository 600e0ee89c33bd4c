import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// Serialises the choice of a /24 among labs on this machine (other
    /// processes too), so that check-then-add cannot race.
    private static let allocationLockPath =
        FileManager.default.fileExists(atPath: "/run/lock") ? "/run/lock/netpol-extend-lab.lock" : "/tmp/netpol-extend-lab.lock"

    /// Creates the lab's bridge in the root namespace and gives it the `.1` of
    /// a /24 inside 198.18.0.0/15 that nothing on this machine uses yet.
    /// Returns the /24's first three octets.
    static func createBridge(_ bridge: String, resources: LabResources) throws(LabError) -> String {
        let lock = open(allocationLockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else {
            throw LabError("cannot open \(allocationLockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            if errno != EINTR { throw LabError("cannot lock \(allocationLockPath): \(String(cString: strerror(errno)))") }
        }
        defer { flock(lock, LOCK_UN) }

        let used = try usedIPv4Networks()
        for _ in 0..<100 {
            // 198.18.1.0 … 198.19.254.0: the /15 minus its first and last /24.
            let index = Int.random(in: 1...510)
            let prefix = "198.\(18 + index / 256).\(index % 256)"
            guard let network = IPv4Network(prefix + ".0/24"),
                  !used.contains(where: { $0.overlaps(network) }) else { continue }
            resources.record(link: bridge)
            try LabProcess.check(["ip", "link", "add", bridge, "type", "bridge"])
            // No IPv6 link-local addresses: the lab stays inside 198.18.0.0/15.
            try LabProcess.check(["ip", "link", "set", "dev", bridge, "addrgenmode", "none"])
            try LabProcess.check(["ip", "addr", "add", prefix + ".1/24", "dev", bridge])
            try LabProcess.check(["ip", "link", "set", "dev", bridge, "up"])
            return prefix
        }
        throw LabError("no free /24 left in 198.18.0.0/15 on this machine")
    }

    /// Every IPv4 network this machine's root namespace has an address or a route in.
    private static func usedIPv4Networks() throws(LabError) -> [IPv4Network] {
        let addresses = try LabProcess.check(["ip", "-4", "-o", "addr", "show"]).stdoutText
        let routes = try LabProcess.check(["ip", "-4", "route", "show", "table", "all"]).stdoutText
        var networks: [IPv4Network] = []
        for line in addresses.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let at = fields.firstIndex(of: "inet"), at + 1 < fields.count,
               let network = IPv4Network(String(fields[at + 1])) {
                networks.append(network)
            }
        }
        for line in routes.split(separator: "\n") {
            var fields = line.split(separator: " ").map(String.init)
            if let first = fields.first, ["local", "broadcast", "unicast", "blackhole", "unreachable", "prohibit"].contains(first) {
                fields.removeFirst()
            }
            if let destination = fields.first, destination != "default", let network = IPv4Network(destination) {
                networks.append(network)
            }
        }
        return networks
    }

    /// One host: its namespace, a veth pair to the bridge, its address and
    /// default route, loopback up, and its sshd's key and config (not started).
    static func createHost(
        index: Int, labID: String, prefix: String, bridge: String, port: Int,
        directory: String, authorizedKeys: String, resources: LabResources
    ) throws(LabError) -> LabHost {
        let netns = "npx-\(labID)-\(index)"
        let veth = "npxv\(labID)\(index)"
        let address = "\(prefix).\(10 + index)"
        resources.record(namespace: netns)
        try LabProcess.check(["ip", "netns", "add", netns])
        resources.record(link: veth)
        try LabProcess.check(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns])
        try LabProcess.check(["ip", "link", "set", "dev", veth, "addrgenmode", "none"])
        try LabProcess.check(["ip", "link", "set", "dev", veth, "master", bridge])
        try LabProcess.check(["ip", "link", "set", "dev", veth, "up"])
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "lo", "up"])
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "eth0", "addrgenmode", "none"])
        try LabProcess.check(["ip", "-n", netns, "addr", "add", address + "/24", "dev", "eth0"])
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "eth0", "up"])
        try LabProcess.check(["ip", "-n", netns, "route", "add", "default", "via", prefix + ".1"])
        return try makeSSHDFiles(
            index: index, netns: netns, address: address, port: port, veth: veth,
            directory: directory, authorizedKeys: authorizedKeys)
    }
}

/// An IPv4 network, for overlap checks.
struct IPv4Network {
    let base: UInt32
    let length: Int

    /// `a.b.c.d/len` or a bare `a.b.c.d` (a /32).
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard let addressText = parts.first, parts.count <= 2 else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : 32
        let octets = addressText.split(separator: ".").compactMap { UInt32($0) }
        guard let length, (0...32).contains(length), octets.count == 4, octets.allSatisfy({ $0 < 256 }) else {
            return nil
        }
        let value = octets.reduce(0) { $0 << 8 | $1 }
        self.length = length
        self.base = value & IPv4Network.mask(length)
    }

    static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }

    func overlaps(_ other: IPv4Network) -> Bool {
        let shorter = IPv4Network.mask(min(length, other.length))
        return base & shorter == other.base & shorter
    }
}
