import Foundation
@testable import ExtendSSH
import Testing

/// The host-side checks of a request, run with the host's sh and grep on
/// text alone (no firewall touched): the apply's bundle checks
/// (`params`, `owned`) and the counters' option line.
@Suite struct HostChecksTests {
    /// Runs `script` with `/bin/sh -c`, `input` on stdin: exit status, stdout, stderr.
    static func sh(_ script: String, _ input: String) async throws -> (status: Int32, out: String, err: String) {
        try await SSHTransport.offload(name: "host checks test") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            p.standardInput = stdin
            p.standardOutput = stdout
            p.standardError = stderr
            try p.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
        }
    }

    /// The apply's checks as the session runs them, on a bundle in a scratch directory.
    static let applyChecks = "set -u\nw=$(mktemp -d) || exit 50\ntrap \"rm -rf \\\"$w\\\"\" EXIT\n" + HostScripts.bundleFunctions + """
        bundle "\(HostScripts.applySections.joined(separator: " "))"
        set -- expect "\(HostScripts.digestPattern)" token "\(HostScripts.tokenPattern)" timeout "[1-9][0-9]{0,3}"
        [ ! -f "$w/rollback-iptables-before" ] || set -- "$@" rollback-iptables-before "(\(HostScripts.digestPattern))?"
        params "$@"
        owned "\(HostScripts.ipsetLine)" ipset rollback-ipset
        owned "\(HostScripts.iptablesLine)" iptables rollback-iptables ip6tables rollback-ip6tables
        owned "\(HostScripts.setName)" destroy rollback-destroy
        echo checked

        """

    static let hex = String(repeating: "0123456789abcdef", count: 4)
    static func bundle(token: String = hex, timeout: String = "30\n", _ rest: String = "") -> String {
        "#npx expect\n\(hex)\n#npx token\n\(token)\n#npx timeout\n\(timeout)" + rest + "#npx end\n"
    }

    @Test("a bundle of ours passes the apply's checks: digests, token, timeout, set and chain lines, an empty rollback digest")
    func passes() async throws {
        let b = Self.bundle("#npx rollback-iptables-before\n#npx ipset\nadd npx-0a 10.0.0.1 -exist\ndel npx-0a 10.0.0.2 -exist\n"
            + "#npx iptables\n*filter\n:NPX-INPUT - [0:0]\n-A NPX-INPUT -j ACCEPT\n-A INPUT -j NPX-INPUT\nCOMMIT\n#npx destroy\nnpx-0b\n")
        let r = try await Self.sh(Self.applyChecks, b)
        #expect(r.status == 0 && r.out == "checked\n", "\(r)")
    }

    @Test("each bad section is refused by name, nothing past the checks runs", arguments: [
        (HostChecksTests.bundle(token: "$(touch /tmp/pwned)"), "has no valid token"),
        (HostChecksTests.bundle(token: HostChecksTests.hex + " x"), "has no valid token"),
        (HostChecksTests.bundle(timeout: "0\n"), "has no valid timeout"),
        (HostChecksTests.bundle(timeout: "5\n5\n"), "has no valid timeout"),
        (HostChecksTests.bundle(timeout: "\n5\n"), "has no valid timeout"),
        ("#npx expect\n\(HostChecksTests.hex)\n#npx timeout\n5\n#npx end\n", "has no valid token"),
        (HostChecksTests.bundle("#npx rollback-iptables-before\nnot-a-digest\n"), "has no valid rollback-iptables-before"),
        (HostChecksTests.bundle("#npx ipset\ncreate pwned hash:ip\n"), "touches what is not ours (in its ipset)"),
        (HostChecksTests.bundle("#npx ipset\nadd npx-0a 10.0.0.1\n#npx rollback-ipset\nadd npx-0a 10.0.0.1\nflush other\n"), "touches what is not ours (in its rollback-ipset)"),
        (HostChecksTests.bundle("#npx ip6tables\n*filter\n-I INPUT 1 -j DROP\nCOMMIT\n"), "touches what is not ours (in its ip6tables)"),
        (HostChecksTests.bundle("#npx rollback-destroy\nforeign\n"), "touches what is not ours (in its rollback-destroy)"),
    ])
    func refuses(_ input: String, _ says: String) async throws {
        let r = try await Self.sh(Self.applyChecks, input)
        #expect(r.status == Int32(HostScripts.refusedRequestStatus), "\(r)")
        #expect(r.err.contains("refused: the request \(says);"), "\(r.err)")
        #expect(!r.out.contains("checked"))
    }

    @Test("the counters' option: none reads the kernel log, no-droplog leaves it out, anything else is refused", arguments: [
        ("", 0, "droplog=[1]"), ("no-droplog\n", 0, "droplog=[]"), ("no-droplog", 0, "droplog=[]"),
        ("no-droplog; ipset create pwned hash:ip\n", 58, ""), ("\n", 58, ""), ("NO-DROPLOG\n", 58, ""),
    ])
    func countersOption(_ input: String, _ status: Int32, _ says: String) async throws {
        let r = try await Self.sh("set -u\n" + HostScripts.countersOption + "echo \"droplog=[$droplog]\"\n", input)
        #expect(r.status == status, "\(r)")
        #expect(r.out.trimmingCharacters(in: .newlines) == says)
        if status != 0 { #expect(r.err.contains("refused: unknown option for the counters")) }
    }
}
