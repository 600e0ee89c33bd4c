import ExtendSSH
import Testing

@Suite("SSH values")
struct SSHValueTests {
    @Test("labels name the host and bracket IPv6 literals", arguments: [
        ("web-1", "198.18.4.10", 22, "web-1 (198.18.4.10:22)"),
        ("db", "2001:db8::7", 2222, "db ([2001:db8::7]:2222)"),
        ("edge", "edge.example", 22, "edge (edge.example:22)"),
    ])
    func label(name: String, address: String, port: Int, expected: String) {
        let endpoint = SSHEndpoint(name: name, address: address, port: port, user: "root", knownHostsFile: "/k")
        #expect(endpoint.label == expected)
    }

    @Test("an endpoint's descriptions and mirror never show the passphrase")
    func passphraseRedacted() {
        let endpoint = SSHEndpoint(
            name: "web-1", address: "198.18.4.10", user: "root",
            identityFile: "/keys/id", passphrase: "s3cret-passphrase", knownHostsFile: "/k")
        var dumped = ""
        dump(endpoint, to: &dumped)
        for text in [String(describing: endpoint), String(reflecting: endpoint), dumped] {
            #expect(!text.contains("s3cret-passphrase"))
        }
        #expect(String(describing: endpoint).contains("<redacted>"))
    }

    @Test("command results decode their output")
    func commandResult() {
        let result = CommandResult(exitStatus: 0, stdout: Array("hi\n".utf8), stderr: "")
        #expect(result.stdoutText == "hi\n")
        #expect(result.succeeded)
        #expect(!CommandResult(exitStatus: 0, exitSignal: "TERM", stdout: [], stderr: "").succeeded)
    }
}
