/// One host to reach over SSH, and how.
///
/// `passphrase` is a secret: it is left out of `description`, `debugDescription`
/// and mirrors, and never appears in an `SSHError` or a log line.
public struct SSHEndpoint: Sendable {
    /// The host's name, for messages (for example its inventory name).
    public var name: String
    /// An IPv4 or IPv6 literal, or a DNS name; known_hosts is checked for this string.
    public var address: String
    public var port: Int
    public var user: String
    /// A private key file (OpenSSH or PEM format; ed25519 or ecdsa).
    public var identityFile: String?
    /// The passphrase of `identityFile`, when it is encrypted.
    public var passphrase: String?
    /// The OpenSSH known_hosts file the host key must be found in.
    public var knownHostsFile: String
    /// Bounds the whole connect: TCP connect, handshake and authentication.
    public var connectTimeout: Duration
    /// Bounds each command, from opening its channel to its exit status.
    public var commandTimeout: Duration
    /// How often an idle connection may send an SSH keepalive (see `SSHConnection.sendKeepalive()`).
    public var keepaliveInterval: Duration
    /// Try keys held by an ssh-agent before `identityFile`.
    public var useAgent: Bool
    /// The agent's socket; `nil` means `SSH_AUTH_SOCK` from the environment.
    public var agentSocket: String?

    public init(
        name: String,
        address: String,
        port: Int = 22,
        user: String,
        identityFile: String? = nil,
        passphrase: String? = nil,
        knownHostsFile: String,
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(300),
        keepaliveInterval: Duration = .seconds(30),
        useAgent: Bool = true,
        agentSocket: String? = nil
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.passphrase = passphrase
        self.knownHostsFile = knownHostsFile
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.keepaliveInterval = keepaliveInterval
        self.useAgent = useAgent
        self.agentSocket = agentSocket
    }

    /// `address:port`, with IPv6 literals in brackets: `[2001:db8::1]:22`.
    public var addressAndPort: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// How every message names this host: `web-1 (198.18.4.10:22)`.
    public var label: String { "\(name) (\(addressAndPort))" }
}

extension SSHEndpoint: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts = ["\(user)@\(label)", "known_hosts \(knownHostsFile)"]
        if let identityFile { parts.append("key \(identityFile)") }
        if passphrase != nil { parts.append("passphrase <redacted>") }
        if useAgent { parts.append("agent \(agentSocket ?? "$SSH_AUTH_SOCK")") }
        return "SSHEndpoint(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "name": name, "address": address, "port": port, "user": user,
            "identityFile": identityFile as Any,
            "passphrase": passphrase == nil ? "nil" : "<redacted>",
            "knownHostsFile": knownHostsFile,
            "connectTimeout": connectTimeout, "commandTimeout": commandTimeout,
            "keepaliveInterval": keepaliveInterval,
            "useAgent": useAgent, "agentSocket": agentSocket as Any,
        ])
    }
}
