import Foundation

/// A machine behind a lab host acting as its router: its own network
/// namespace, linked to the router only, on a /29 carved from the top of the
/// lab's /24 (inside 198.18.0.0/15 like everything of the lab's).
public struct LabClient: Sendable, Hashable {
    public let netns: String
    /// The client's address, on the link to its router.
    public let address: String
}

extension Lab {
    /// A client namespace behind `router`: the router forwards its traffic
    /// and, when `masquerade` is set, rewrites the source to its own lab
    /// address on the way out (as a node masquerading its pods would), so
    /// that the other hosts see the router, not the client. Removed with the lab.
    public func addClient(behind router: LabHost, masquerade: Bool) throws -> LabClient {
        let netns = "npx-\(id)-c\(router.index)"
        let outer = "npxr\(id)\(router.index)"
        // .240/29 of the lab's /24: no host of a lab (at most 200, from .10) reaches it.
        let (gateway, address) = (prefix + ".241", prefix + ".242")
        resources.record(namespace: netns)
        try LabProcess.check(["ip", "netns", "add", netns])
        resources.record(link: outer)
        try LabProcess.check(["ip", "link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", netns])
        try LabProcess.check(["ip", "link", "set", outer, "netns", router.netns])
        try LabProcess.check(["ip", "-n", router.netns, "link", "set", "dev", outer, "name", "inner0"])
        try LabProcess.check(["ip", "-n", router.netns, "addr", "add", gateway + "/29", "dev", "inner0"])
        try LabProcess.check(["ip", "-n", router.netns, "link", "set", "dev", "inner0", "up"])
        try LabProcess.check(["ip", "netns", "exec", router.netns, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        if masquerade {
            try LabProcess.check(["ip", "netns", "exec", router.netns, "iptables", "-t", "nat", "-A", "POSTROUTING",
                                  "-s", prefix + ".240/29", "-o", "eth0", "-j", "MASQUERADE"])
        }
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "lo", "up"])
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "eth0", "addrgenmode", "none"])
        try LabProcess.check(["ip", "-n", netns, "addr", "add", address + "/29", "dev", "eth0"])
        try LabProcess.check(["ip", "-n", netns, "link", "set", "dev", "eth0", "up"])
        try LabProcess.check(["ip", "-n", netns, "route", "add", "default", "via", gateway])
        return LabClient(netns: netns, address: address)
    }

    /// Runs `argv` in the client's network namespace.
    public func exec(in client: LabClient, _ argv: [String], timeout: Duration = .seconds(60)) throws -> LabCommandResult {
        try LabProcess.run(["ip", "netns", "exec", client.netns] + argv, timeout: timeout)
    }
}
