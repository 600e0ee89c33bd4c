import Foundation

/// One lab host: a network namespace with its own sshd.
public struct LabHost: Sendable, Hashable {
    public let index: Int
    /// The host's name, which is also its network namespace: `npx-<lab id>-<index>`.
    public let name: String
    public let netns: String
    /// Its address on the lab bridge, inside 198.18.0.0/15.
    public let address: String
    /// The port its sshd listens on.
    public let port: Int
    /// The root-namespace end of its veth pair (the end inside is `eth0`).
    public let veth: String
    /// Its sshd's files: host key, config, log.
    public let hostKeyPath: String
    /// The host key as a public key line: `ssh-ed25519 AAAA… comment`.
    public let hostPublicKey: String
    public let sshdConfigPath: String
    public let sshdLogPath: String

    /// The host's own directory in the lab (its sshd files, state
    /// directories, and whatever a test gives that host alone).
    public var directory: String { (sshdConfigPath as NSString).deletingLastPathComponent }
}
