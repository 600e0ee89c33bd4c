import Foundation

extension Lab {
    /// Makes a client key pair in the lab's directory and, when `authorize`,
    /// adds it to the hosts' authorized_keys.
    public func makeKey(
        named name: String, type: LabKeyType = .ed25519, passphrase: String? = nil, authorize: Bool = true
    ) throws -> LabKey {
        let key = try Lab.makeKey(in: directory, named: name, type: type, passphrase: passphrase)
        if authorize { try Lab.append(lines: [key.publicKey], to: authorizedKeysPath) }
        return key
    }

    static func makeKey(
        in directory: String, named name: String, type: LabKeyType, passphrase: String?
    ) throws(LabError) -> LabKey {
        let keys = directory + "/keys"
        do {
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        } catch {
            throw LabError("cannot create \(keys): \(error)")
        }
        let path = keys + "/" + name
        var argv = ["ssh-keygen", "-q", "-t", type.rawValue, "-N", passphrase ?? "", "-C", "lab key \(name)", "-f", path]
        switch type {
        case .ed25519: break
        case .ecdsa: argv += ["-b", "256"]
        case .rsa: argv += ["-b", "2048"]
        }
        try LabProcess.check(argv)
        let publicKey = try readText(path + ".pub").trimmingCharacters(in: .whitespacesAndNewlines)
        return LabKey(path: path, publicKey: publicKey, passphrase: passphrase)
    }
}
