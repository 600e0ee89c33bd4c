import Foundation
import LabSupport
import Testing

/// The kernel lab itself: real traffic between its hosts, what a drop looks
/// like from each side, and that it leaves nothing behind however it ends.
@Suite("The kernel lab", .kernelLab)
struct NetnsLabTests {
    static let specs = [
        NetnsHost.Spec(name: "one", addresses: ["198.18.0.11", "2001:db8::11"]),
        NetnsHost.Spec(name: "two", addresses: ["198.18.0.12", "2001:db8::12"]),
    ]

    @Test("hosts reach each other on every protocol and family until a rule drops; loopback works")
    func traffic() throws {
        try NetnsLab.withLab(NetnsLabTests.specs) { lab in
            let one = try #require(lab.host("one")), two = try #require(lab.host("two"))
            let probes = lab.protocols.flatMap { proto in
                [("198.18.0.11", "198.18.0.12"), ("2001:db8::11", "2001:db8::12"), ("198.18.0.11", "198.18.0.11")].map {
                    NetnsProbe(source: $0.0, destination: $0.1, port: 81, proto: proto)
                }
            }
            for r in try lab.probe([(one, probes)])[0] {
                #expect(r.verdict == .allowed, "\(r)")
            }
            // A drop on the receiver's INPUT: unanswered. On the sender's OUTPUT: unanswered or EPERM.
            try lab.check(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "DROP"], in: two)
            try lab.check(["iptables", "-A", "OUTPUT", "-p", "udp", "--dport", "81", "-j", "DROP"], in: one)
            let dropped = [NetnsProbe(source: "198.18.0.11", destination: "198.18.0.12", port: 81, proto: .tcp),
                           NetnsProbe(source: "198.18.0.11", destination: "198.18.0.12", port: 81, proto: .udp),
                           NetnsProbe(source: "198.18.0.11", destination: "198.18.0.12", port: 80, proto: .tcp)]
            let results = try lab.probe([(one, dropped)])[0]
            #expect(results.map(\.verdict) == [.denied, .denied, .allowed], "\(results)")
        }
    }

    @Test("nothing is left when the body throws: namespaces, links, processes, directory")
    func teardownAfterThrow() throws {
        struct Boom: Error {}
        var made: (namespaces: [String], links: [String], pids: [Int32], directory: String)?
        #expect(throws: Boom.self) {
            try NetnsLab.withLab(NetnsLabTests.specs) { lab in
                made = (lab.hosts.map(\.netns), [lab.bridge] + lab.hosts.map(\.veth), lab.processIDs, lab.directory)
                throw Boom()
            }
        }
        let m = try #require(made)
        #expect(m.pids.count == 2)
        try expectGone(namespaces: m.namespaces, links: m.links, pids: m.pids, directory: m.directory)
    }

    @Test("a setup that fails half-way removes what it made")
    func partialSetup() throws {
        // The second host's address is no address: the lab fails after making the first host.
        let specs = [NetnsLabTests.specs[0], NetnsHost.Spec(name: "bad", addresses: ["198.18.0.300"])]
        var message = ""
        do {
            _ = try NetnsLab(specs)
            Issue.record("a lab with a bad address was built")
        } catch {
            message = error.description
        }
        let id = try #require(message.firstMatch(of: /kernel lab ([0-9a-f]{6}) failed/)?.1, "\(message)")
        try expectGone(namespaces: (0..<2).map { "npk-\(id)-\($0)" },
                       links: ["npkbr\(id)", "npkv\(id)0", "npkv\(id)1"], pids: [],
                       directory: nil)
        let leftDirectories = try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("npk-lab-\(id)-") }
        #expect(leftDirectories.isEmpty)
    }

    private func expectGone(namespaces: [String], links: [String], pids: [Int32], directory: String?) throws {
        let listed = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        for ns in namespaces {
            #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(ns)"), "namespace \(ns) is left")
            #expect(!listed.contains("/run/netns/\(ns) "), "namespace \(ns) is still mounted")
        }
        for link in links { #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(link)"), "link \(link) is left") }
        for pid in pids { #expect(kill(pid, 0) != 0, "process \(pid) is left") }
        if let directory { #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) is left") }
    }
}
