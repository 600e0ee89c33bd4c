import Foundation

extension Lab {
    /// A known_hosts line for `host`: `address` for port 22, `[address]:port`
    /// otherwise (or always, with `bracketed`), followed by `key` (a public
    /// key line; the host's real key by default).
    public static func knownHostsLine(for host: LabHost, key: String? = nil, bracketed: Bool = false) -> String {
        let name = host.port == 22 && !bracketed ? host.address : "[\(host.address)]:\(host.port)"
        let fields = (key ?? host.hostPublicKey).split(separator: " ")
        return ([name] + fields.prefix(2).map(String.init)).joined(separator: " ")
    }

    /// Writes a known_hosts file in the lab's directory and returns its path.
    /// With `hashed`, `ssh-keygen -H` hashes the host names (`|1|salt|hash`),
    /// as OpenSSH does with HashKnownHosts.
    public func writeKnownHosts(_ lines: [String], named name: String, hashed: Bool = false) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(lines.map { $0 + "\n" }.joined().utf8)) else {
            throw LabError("cannot write \(path)")
        }
        if hashed {
            try LabProcess.check(["ssh-keygen", "-q", "-H", "-f", path])
            try? FileManager.default.removeItem(atPath: path + ".old")
        }
        return path
    }

    /// A fresh ed25519 public key line that belongs to no lab host, for
    /// "this host's key changed" tests.
    public func makeStrangerHostKey() throws -> String {
        let key = try Lab.makeKey(in: directory, named: "stranger-" + Lab.randomHex(6), type: .ed25519, passphrase: nil)
        return key.publicKey
    }
}
