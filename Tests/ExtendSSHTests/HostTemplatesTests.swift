import ExtendCore
import Foundation
@testable import ExtendSSH
import Testing

/// The host-side files shipped in templates/host/ are what extend installs
/// and speaks to: generated from the same script pieces as shell mode.
/// `UPDATE_GOLDEN=1 swift test` rewrites them from the code.
@Suite struct HostTemplatesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates/host")

    @Test("templates/host holds the entry point and the restricted sudoers drop-in that host-bootstrap installs", arguments: [
        ("netpol-extend-host", HostScripts.entryPoint),
        ("sudoers.netpol-extend", HostBootstrap.sudoers(user: "netpol-extend")),
    ])
    func shipped(_ name: String, _ generated: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(generated.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: name == "netpol-extend-host" ? 0o755 : 0o644], ofItemAtPath: url.path)
        }
        let file = try String(contentsOf: url, encoding: .utf8)
        #expect(file == generated, "templates/host/\(name) differs from what extend generates; run UPDATE_GOLDEN=1 swift test and review the diff")
    }

    @Test("the entry point runs the very scripts shell mode sends, after the prelude")
    func entryPointSharesTheScripts() {
        for request in HostScripts.Request.allCases {
            #expect(HostScripts.entryPoint.contains("\n\(request.rawValue))\n" + request.body + ";;\n"))
            #expect(request.script == HostScripts.prelude + request.body)
        }
        #expect(HostScripts.entryPoint.contains(HostScripts.prelude))
        #expect(HostScripts.observe == HostScripts.Request.observe.script)
        #expect(HostScripts.session == HostScripts.Request.session.script)
    }

    @Test("authorized_keys lines: from=, restrict and the forced command, the key without its comment; anything else is no key", arguments: [
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB+x/y= me@laptop", "from=\"198.18.0.1,198.18.4.0/24\",restrict,command=\"/usr/local/libexec/netpol-extend-host\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB+x/y= netpol-extend"),
        ("ssh-ed25519 AAAA\"; rm -rf /", nil),
        ("command=\"sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", nil),
        ("ssh-ed25519 AAAAC3Nz\nssh-ed25519 AAAAC3Nz", nil),
        ("ssh-dss AAAAB3NzaC1kc3M", nil),
        ("ssh-ed25519", nil),
    ] as [(String, String?)])
    func authorizedKeys(_ key: String, _ line: String?) {
        let from = [CIDR("198.18.0.1", allowBareAddress: true)!, CIDR("198.18.4.0/24")!]
        #expect(HostBootstrap.authorizedKey(key, from: from) == line)
    }

    @Test("login names as useradd takes them", arguments: [
        ("netpol-extend", true), ("_npx", true), ("root", true), ("Admin", false), ("-x", false), ("a b", false),
        ("x;id", false), ("", false), (String(repeating: "a", count: 33), false),
    ])
    func userNames(_ name: String, _ ok: Bool) {
        #expect(HostBootstrap.isUserName(name) == ok)
    }

    @Test("the restricted sudoers lets the account run the entry point with exactly each request word, without a tty, keeping SSH_CONNECTION")
    func sudoers() {
        let text = HostBootstrap.sudoers(user: "npx")
        #expect(text.contains("\nnpx ALL=(root) NOPASSWD: /usr/local/libexec/netpol-extend-host observe, /usr/local/libexec/netpol-extend-host session, /usr/local/libexec/netpol-extend-host counters, /usr/local/libexec/netpol-extend-host counters-reset\n"))
        // No tty demanded, and sshd's SSH_CONNECTION kept for the entry point's lockout guard; for the entry point alone.
        #expect(text.contains("\nDefaults!/usr/local/libexec/netpol-extend-host !requiretty, env_keep += \"SSH_CONNECTION\"\n"))
        #expect(!text.contains("*"))
    }
}

