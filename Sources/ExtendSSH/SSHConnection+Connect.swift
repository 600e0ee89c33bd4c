import Logging

extension SSHConnection {
    /// Key exchange methods, best first. curve25519-sha256 is fast and what
    /// OpenSSH prefers among the classic ones; OpenSSH 9's post-quantum default
    /// costs ~65 ms of client CPU per connect, which libssh2 does not offer
    /// anyway. No SHA-1 methods.
    static let keyExchangePreference = [
        "curve25519-sha256", "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256",
    ].joined(separator: ",")

    static func establish(_ endpoint: SSHEndpoint, logger: Logger, wake: WakePipe) throws(SSHError) -> SSHConnection {
        let started = ContinuousClock.now
        let deadline = started + endpoint.connectTimeout
        let target = endpoint.label
        var logger = logger
        logger[metadataKey: "host"] = "\(target)"

        // Local problems first: nothing goes on the wire for a host we could not verify.
        let knownHostsFile = try KnownHostsFile.load(endpoint.knownHostsFile, for: target)

        let socket = try TCPSocket.connect(to: endpoint, until: deadline, wake: wake)
        let session = try LibSSH2Session(socket: socket, target: target)
        let driver = SessionDriver(session: session, wake: wake, deadline: deadline, limit: endpoint.connectTimeout)

        guard let knownHosts = session.makeKnownHosts() else {
            throw SSHError(.configuration, host: target, "cannot allocate a known_hosts collection for \(target)")
        }
        for line in knownHostsFile.hostLines where !knownHosts.add(line: line.text) {
            logger.warning("known_hosts line skipped: libssh2 cannot parse it", metadata: [
                "file": "\(knownHostsFile.path):\(line.number)",
            ])
        }
        let knownTypes = SSHHostKeyType.allCases.filter {
            knownHosts.hasEntry(host: endpoint.address, port: endpoint.port, type: $0)
        }
        session.prefer(.keyExchange, keyExchangePreference)
        session.prefer(.hostKey, SSHHostKeyType.methodPreference(known: knownTypes))

        try driver.perform(.handshake, "the SSH handshake with") { session.handshake() }
        try verifyHostKey(session.hostKey(), of: endpoint, in: knownHostsFile, knownHosts: knownHosts)

        let keepalive = endpoint.keepaliveInterval.components.seconds
        session.configureKeepalive(seconds: Int(clamping: keepalive))

        let authentication = try authenticate(endpoint, driver: driver, logger: logger)
        let connection = SSHConnection(
            endpoint: endpoint, session: session, wake: wake, logger: logger,
            keyExchange: session.negotiated(.keyExchange) ?? "?",
            hostKeyAlgorithm: session.negotiated(.hostKey) ?? "?",
            authentication: authentication)
        logger.debug("SSH connection established", metadata: [
            "kex": "\(connection.keyExchange)",
            "hostkey": "\(connection.hostKeyAlgorithm)",
            "auth": "\(authentication)",
            "local": "\(connection.localAddress)",
            "ms": "\((ContinuousClock.now - started).wholeMilliseconds)",
        ])
        return connection
    }
}
