/// A key pair made for the lab.
public struct LabKey: Sendable, Hashable {
    public let path: String
    /// The public key line, as `ssh-keygen` wrote it.
    public let publicKey: String
    public let passphrase: String?
}

/// Key types `Lab.makeKey` can make.
public enum LabKeyType: String, Sendable, CaseIterable {
    case ed25519
    case ecdsa
    case rsa
}
