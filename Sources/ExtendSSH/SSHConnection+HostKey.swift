import Foundation

extension SSHConnection {
    /// Strict host key checking: the key must be recorded for this address
    /// (and port) in the known_hosts file. Unknown, different or revoked keys
    /// are refused; nothing is ever added to the file.
    static func verifyHostKey(
        _ key: ServerHostKey?, of endpoint: SSHEndpoint, in file: KnownHostsFile, knownHosts: LibSSH2KnownHosts
    ) throws(SSHError) {
        let target = endpoint.label
        guard let key else {
            throw SSHError(.hostKey, host: target, "the server \(target) presented no host key")
        }
        let offered = "\(key.typeName) \(key.fingerprint)"
        let blob = Data(key.blob).base64EncodedString()
        if let revoked = file.revoked.first(where: { $0.blob == blob }) {
            throw SSHError(.hostKey, host: target,
                "host key for \(target) (\(offered)) is marked @revoked in \(file.path):\(revoked.line), refusing to connect")
        }
        guard let type = key.type else {
            throw SSHError(.hostKey, host: target,
                "host key for \(target) is of type \(key.typeName), which netpol-extend does not accept")
        }
        switch knownHosts.check(host: endpoint.address, port: endpoint.port, key: key.blob, type: type) {
        case .match:
            return
        case .mismatch:
            let name = endpoint.port == 22 ? endpoint.address : "[\(endpoint.address)]:\(endpoint.port)"
            throw SSHError(.hostKey, host: target,
                "host key for \(target) does not match \(file.path): the server presented \(offered), "
                    + "which differs from the recorded key, refusing to connect "
                    + "(if the host was reinstalled, remove the old entry with `ssh-keygen -R '\(name)' -f \(file.path)`)")
        case .notFound:
            throw SSHError(.hostKey, host: target,
                "host key for \(target) is not in \(file.path): the server presented \(offered), refusing to connect")
        case .failure:
            throw SSHError(.hostKey, host: target,
                "host key for \(target) could not be checked against \(file.path)")
        }
    }
}
