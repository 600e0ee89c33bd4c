/// A non-root account that one lab host's sshd knows (see `Lab.addAccount`).
public struct LabAccount: Sendable, Hashable {
    public let name: String
    public let uid: UInt32
    public let gid: UInt32
    /// Its home, in the lab's directory, owned by the account.
    public let home: String
    /// The lab's copy of /etc/sudoers that the host's sessions see.
    public let sudoersPath: String
}
