import Foundation
@testable import ExtendSSH
import Testing

/// The entry point's own lockout guard (`HostScripts.keepsFunction`): given
/// the host's rules and the payloads of a load, does every chain of ours that
/// INPUT or OUTPUT jumps to admit this connection's SSH before anything else?
/// Run with the host's sh and awk on text alone (no firewall touched).
@Suite struct EntryPointGuardTests {
    /// `keeps` for a connection from `peer` to `port`: its exit status and what it printed.
    static func keeps(_ peer: String, port: Int = 22, _ input: String) async throws -> (status: Int32, said: String) {
        let script = HostScripts.keepsFunction + "npx_peer=\(peer); npx_port=\(port); keeps\n"
        return try await SSHTransport.offload(name: "guard test") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            let stdin = Pipe(), stdout = Pipe()
            p.standardInput = stdin
            p.standardOutput = stdout
            try p.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Our chains as extend renders them: the preamble with the guard for `source`, then a policy chain and DROP.
    static func rendered(_ source: String?, port: Int = 22, egress: Bool = false) -> String {
        let guardIn = source.map { "-A NPX-INPUT -s \($0) -p tcp -m tcp --dport \(port) -j ACCEPT\n" } ?? ""
        let guardOut = source.map { "-A NPX-OUTPUT -d \($0) -p tcp -m tcp --sport \(port) -j ACCEPT\n" } ?? ""
        return """
            *filter
            :NPX-INPUT - [0:0]
            :NPX-OUTPUT - [0:0]
            :NPX-0123456789abcdef - [0:0]
            -A NPX-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A NPX-INPUT -i lo -j ACCEPT
            \(guardIn)-A NPX-INPUT -m comment --comment ns/db-in -j NPX-0123456789abcdef
            -A NPX-INPUT -j DROP

            """
            + (egress ? "-A NPX-OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A NPX-OUTPUT -o lo -j ACCEPT\n" + guardOut + "-A NPX-OUTPUT -j DROP\n" : "")
            + "-A NPX-0123456789abcdef -p tcp -m tcp --dport 5432 -j ACCEPT\n-I INPUT 1 -j NPX-INPUT\n-I OUTPUT 1 -j NPX-OUTPUT\nCOMMIT\n"
    }

    static let hostRules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 80 -j DROP\nCOMMIT\n"

    @Test("a load is held to the guard for this connection's own address and port, as extend renders it", arguments: [
        // (peer, port, guard source, egress isolated too, admitted)
        ("198.18.0.1", 22, "198.18.0.1/32", false, true),
        ("198.18.0.1", 22, "198.18.0.0/15", true, true),
        ("198.19.255.254", 22, "198.18.0.0/15", false, true),
        ("198.20.0.1", 22, "198.18.0.0/15", false, false),
        ("198.18.0.2", 22, "198.18.0.1/32", false, false),
        ("198.18.0.1", 2222, "198.18.0.1/32", false, false),
        ("10.1.2.3", 22, "10.1.2.0/25", true, true),
        ("10.1.2.200", 22, "10.1.2.0/25", true, false),
        ("2001:db8::1", 22, "2001:db8::/64", true, true),
        ("2001:db8:0:1::1", 22, "2001:db8::/64", false, false),
        ("2001:db8:ffff::1", 22, "2001:db8:ffff::1/128", false, true),
        ("2001:db8:ffff::2", 22, "2001:db8:ffff::1/128", false, false),
        ("::ffff:198.18.0.1", 22, "::ffff:198.18.0.0/120", false, true),
        ("198.18.0.1", 22, "0.0.0.0/0", false, true),
    ] as [(String, Int, String, Bool, Bool)])
    func guardSources(_ peer: String, _ port: Int, _ source: String, _ egress: Bool, _ admitted: Bool) async throws {
        let r = try await Self.keeps(peer, port: port, Self.hostRules + "#npx payload\n" + Self.rendered(source, egress: egress))
        #expect((r.status == 0) == admitted, "\(peer):\(port) through \(source): \(r)")
        #expect(r.said == (admitted ? "" : "chain NPX-INPUT"))
    }

    @Test("what cuts the connection off is refused whatever else the chain holds first", arguments: [
        // The guard after a DROP, a jump, a REJECT, a goto; a quoted comment faking an ACCEPT; a rule inserted into our chain.
        "-A NPX-INPUT -p tcp -j DROP\n-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n",
        "-A NPX-INPUT -j NPX-0123456789abcdef\n-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n",
        "-A NPX-INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n",
        "-A NPX-INPUT -g NPX-0123456789abcdef\n-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n",
        "-A NPX-INPUT -m comment --comment \"x -j ACCEPT\" -j DROP\n",
        "-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n-I NPX-INPUT 1 -j DROP\n",
        "-A NPX-INPUT -s 198.18.0.1/32 -p tcp -m tcp --dport 22 -m set --match-set npx-x src -j ACCEPT\n-A NPX-INPUT -j DROP\n",
    ])
    func forgedChains(_ rules: String) async throws {
        let payload = "*filter\n:NPX-INPUT - [0:0]\n:NPX-0123456789abcdef - [0:0]\n" + rules + "-A NPX-0123456789abcdef -j DROP\n-I INPUT 1 -j NPX-INPUT\nCOMMIT\n"
        let r = try await Self.keeps("198.18.0.1", Self.hostRules + "#npx payload\n" + payload)
        #expect(r.status == 1 && r.said == "chain NPX-INPUT", "\(r)")
    }

    @Test("the host's rules count: chains of ours a payload does not redeclare keep theirs, and jumps a payload adds reach them")
    func hostStateCounts() async throws {
        let unguarded = Self.rendered(nil).replacingOccurrences(of: "-I INPUT 1", with: "-A INPUT")
            .replacingOccurrences(of: "-I OUTPUT 1", with: "-A OUTPUT")
        // The host holds an unguarded chain already jumped to; a payload that leaves it as it is may not load.
        let onlySets = try await Self.keeps("198.18.0.1", unguarded + "#npx payload\n*filter\n:NPX-fedcba9876543210 - [0:0]\nCOMMIT\n")
        #expect(onlySets.status == 1 && onlySets.said == "chain NPX-INPUT", "\(onlySets)")
        // Redeclaring it with the guard mends it.
        let mended = try await Self.keeps("198.18.0.1", unguarded + "#npx payload\n" + Self.rendered("198.18.0.1/32"))
        #expect(mended.status == 0, "\(mended)")
        // Removing everything of ours (chains emptied, jumps deleted) always loads.
        let removal = "*filter\n:NPX-INPUT - [0:0]\n:NPX-OUTPUT - [0:0]\n:NPX-0123456789abcdef - [0:0]\n-D INPUT -j NPX-INPUT\n-D OUTPUT -j NPX-OUTPUT\n-X NPX-INPUT\n-X NPX-OUTPUT\n-X NPX-0123456789abcdef\nCOMMIT\n"
        let removed = try await Self.keeps("198.18.0.1", unguarded + "#npx payload\n" + removal)
        #expect(removed.status == 0, "\(removed)")
        // Counters before a line (iptables-save -c) change nothing.
        let counted = try await Self.keeps("198.18.0.1", Self.hostRules + "#npx payload\n"
            + Self.rendered("198.18.0.1/32").split(separator: "\n").map { $0.hasPrefix("-A") ? "[3:180] " + $0 : String($0) }.joined(separator: "\n") + "\n")
        #expect(counted.status == 0, "\(counted)")
    }

    @Test("a rollback is held to the guard too when the rules it replaces kept it; one back to unguarded rules of the host's own is not")
    func rollbacks() async throws {
        let guarded = Self.rendered("198.18.0.1/32").replacingOccurrences(of: "-I INPUT 1", with: "-A INPUT")
        let lockout = "*filter\n:NPX-INPUT - [0:0]\n-A NPX-INPUT -j DROP\nCOMMIT\n"
        let forged = try await Self.keeps("198.18.0.1", guarded + "#npx payload\n" + Self.rendered("198.18.0.1/32") + "#npx payload\n" + lockout)
        #expect(forged.status == 1 && forged.said == "the rollback: chain NPX-INPUT", "\(forged)")
        let honest = try await Self.keeps("198.18.0.1", guarded + "#npx payload\n" + Self.rendered("198.18.0.0/15") + "#npx payload\n" + Self.rendered("198.18.0.1/32"))
        #expect(honest.status == 0, "\(honest)")
        // The host's rules of ours before the apply did not hold the guard (SSH was admitted some other way): going back to them is no worse.
        let unguarded = Self.rendered(nil).replacingOccurrences(of: "-I INPUT 1", with: "-A INPUT")
        let back = try await Self.keeps("198.18.0.1", unguarded + "#npx payload\n" + Self.rendered("198.18.0.1/32") + "#npx payload\n" + Self.rendered(nil))
        #expect(back.status == 0, "\(back)")
    }

    @Test("the entry point holds the check, shell mode does not send it")
    func onlyInTheEntryPoint() {
        #expect(HostScripts.entryPoint.contains(HostScripts.keepsFunction))
        #expect(!HostScripts.session.contains("keeps()"))
        #expect(HostScripts.session.contains(HostScripts.guardFunction))
    }

    @Test("without an address for this connection nothing loads")
    func noAddress() async throws {
        for peer in ["", "198.18.0", "2001:db8::1::2", "host.example"] {
            let r = try await Self.keeps("\"\(peer)\"", Self.hostRules + "#npx payload\n" + Self.rendered("0.0.0.0/0"))
            #expect(r.status == 1 && r.said == "this connection (no address)", "\(peer): \(r)")
        }
    }
}
