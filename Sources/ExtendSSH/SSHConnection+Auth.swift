import Foundation
import Logging

extension SSHConnection {
    /// Public key authentication only: keys from the ssh-agent first (when
    /// `useAgent` and a socket is known), then `identityFile`. Returns how we
    /// got in. The failure message lists every attempt and never the passphrase.
    static func authenticate(_ endpoint: SSHEndpoint, driver: SessionDriver, logger: Logger) throws(SSHError) -> String {
        let target = endpoint.label
        let user = endpoint.user
        let session = driver.session
        let offered = try driver.perform(.auth, "asking which authentication methods \(user) may use on") {
            session.authMethods(user: user)
        }
        guard let offered else { return "none" }
        guard offered.contains("publickey") else {
            throw SSHError(.auth, host: target,
                "authentication as \(user) to \(target) failed: the server offers only "
                    + "\(offered.joined(separator: ", ")) and netpol-extend uses keys")
        }

        var attempts: [String] = []
        if endpoint.useAgent,
           let socket = endpoint.agentSocket ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"],
           !socket.isEmpty {
            if let how = try authenticateWithAgent(at: socket, endpoint, driver, &attempts, logger) {
                return how
            }
        }
        if let keyFile = endpoint.identityFile {
            if let how = try authenticateWithKeyFile(keyFile, endpoint, driver, &attempts) {
                return how
            }
        }
        if attempts.isEmpty {
            attempts.append("no identity file is configured and no ssh-agent is in use")
        }
        throw SSHError(.auth, host: target,
            "authentication as \(user) to \(target) failed: \(attempts.joined(separator: "; "))")
    }

    private static func authenticateWithAgent(
        at socket: String, _ endpoint: SSHEndpoint, _ driver: SessionDriver,
        _ attempts: inout [String], _ logger: Logger
    ) throws(SSHError) -> String? {
        let session = driver.session
        let user = endpoint.user
        guard let agent = session.makeAgent(socketPath: socket) else {
            attempts.append("cannot create an ssh-agent client")
            return nil
        }
        do {
            try driver.perform(.auth, "connecting to the ssh-agent at \(socket) for") { agent.connect() }
            try driver.perform(.auth, "listing the keys of the ssh-agent at \(socket) for") { agent.loadIdentities() }
        } catch {
            guard error.stage == .auth else { throw error }
            attempts.append("the ssh-agent at \(socket) could not be used")
            logger.debug("ssh-agent unusable", metadata: ["reason": "\(error.message)"])
            return nil
        }
        let comments = agent.identityComments
        if comments.isEmpty {
            attempts.append("the ssh-agent at \(socket) holds no keys")
            return nil
        }
        for (index, comment) in comments.enumerated() {
            do {
                try driver.perform(.auth, "authenticating as \(user) with an ssh-agent key to") {
                    agent.authenticate(user: user, identityAt: index)
                }
                return "ssh-agent key \"\(comment)\""
            } catch {
                guard let code = error.code, LibSSH2.isKeyRefused(code) else { throw error }
            }
        }
        attempts.append("the server refused all \(comments.count) key(s) of the ssh-agent at \(socket)")
        return nil
    }

    private static func authenticateWithKeyFile(
        _ keyFile: String, _ endpoint: SSHEndpoint, _ driver: SessionDriver, _ attempts: inout [String]
    ) throws(SSHError) -> String? {
        let session = driver.session
        let user = endpoint.user
        if case .failure(let error) = readWholeFile(keyFile) {
            attempts.append("key file \(keyFile) cannot be read: \(error.text)")
            return nil
        }
        do {
            try driver.perform(.auth, "authenticating as \(user) with key file \(keyFile) to") {
                session.authenticate(user: user, privateKeyFile: keyFile, passphrase: endpoint.passphrase)
            }
            return "key file \(keyFile)"
        } catch {
            guard let code = error.code else { throw error }
            if LibSSH2.isKeyFileFailure(code) {
                attempts.append(endpoint.passphrase == nil
                    ? "key file \(keyFile) could not be loaded (is it encrypted? no passphrase was given; or its format is not supported)"
                    : "key file \(keyFile) could not be loaded with the passphrase given (wrong passphrase, or a format libssh2 does not support)")
                return nil
            }
            if LibSSH2.isKeyRefused(code) {
                attempts.append("the server refused the key in \(keyFile)\(rsaHint(keyFile))")
                return nil
            }
            throw error
        }
    }

    /// libssh2 1.10 signs with RSA keys using SHA-1 (`ssh-rsa`) only, which
    /// OpenSSH 8.8 and later refuse by default; say so when the key looks RSA.
    private static func rsaHint(_ keyFile: String) -> String {
        guard case .success(let bytes) = readWholeFile(keyFile + ".pub"),
              bytes.starts(with: Array("ssh-rsa ".utf8)) else { return "" }
        return " (it is an RSA key: libssh2 1.10 can only sign with ssh-rsa/SHA-1, which OpenSSH 8.8 and later refuse; use an ed25519 or ecdsa key)"
    }
}
