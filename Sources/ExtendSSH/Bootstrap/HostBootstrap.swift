import ExtendCore

/// What moves a host to `ssh.mode: restricted` (issue 13): an account whose
/// key may run the entry point and nothing else, from the controller's
/// addresses only, and (unless it is root) may run exactly the entry point's
/// requests as root through sudo. Values only; `install` does the I/O.
public struct HostBootstrap: Sendable {
    /// The restricted account.
    public var user: String
    /// authorized_keys lines, one per public key.
    public var authorizedKeys: [String]

    /// `authorizedKeys`: lines made by `authorizedKey(_:from:)`; `user`: a login name (`isUserName`).
    public init(user: String, authorizedKeys: [String]) {
        self.user = user
        self.authorizedKeys = authorizedKeys
    }

    /// A login name as useradd takes it.
    public static func isUserName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, (1...32).contains(s.unicodeScalars.count) else { return false }
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z", digit: ClosedRange<Unicode.Scalar> = "0"..."9"
        return (lower.contains(first) || first == "_")
            && s.unicodeScalars.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == "_" || $0 == "-" }
    }

    nonisolated(unsafe) private static let base64Regex = /[A-Za-z0-9+\/]+={0,2}/
    static let keyTypes: Set<String> = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// One OpenSSH public key line: a key type we know, base64, maybe a comment.
    public static func isPublicKey(_ line: String) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.count >= 2 && !line.contains("\n") && keyTypes.contains(String(words[0]))
            && words[1].wholeMatch(of: base64Regex) != nil
    }

    /// nil when `publicKey` is not one public key line (or `from` is empty).
    ///
    /// `from="…",restrict,command="…" TYPE BASE64 netpol-extend`: the key may
    /// log in only from `from`, gets no pty, no forwarding, no agent, no rc
    /// (`restrict`), and runs the entry point whatever it asks. The key's own
    /// comment is replaced (it is free text), so the line is ours to recognise.
    public static func authorizedKey(_ publicKey: String, from: [CIDR]) -> String? {
        guard isPublicKey(publicKey), !from.isEmpty else { return nil }
        let words = publicKey.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let sources = from.map { $0.isHost ? $0.address.description : $0.description }
        return "from=\"\(sources.joined(separator: ","))\",restrict,command=\"\(HostScripts.entryPointPath)\" \(words[0]) \(words[1]) netpol-extend"
    }

    /// The sudoers drop-in for a non-root account: the entry point with
    /// exactly one of its request words, as root, without a password.
    public static func sudoers(user: String) -> String {
        let commands = HostScripts.Request.allCases.map { "\(HostScripts.entryPointPath) \($0.rawValue)" }
        return """
        # \(HostScripts.sudoersPath): for hosts in ssh.mode: restricted whose account is not root.
        #
        # The account's key runs only \(HostScripts.entryPointPath) (its
        # authorized_keys line forces that command); the entry point, not being
        # root, runs itself again through `sudo -n` with the request word as its
        # one argument. This rule lets the account do exactly that and nothing
        # else: no shell, no other program, no other arguments. No tty is
        # needed (!requiretty, for hosts that demand one by default), and
        # sshd's SSH_CONNECTION gets through, so that the entry point knows the
        # address of the connection it must never cut off (the lockout guard).
        Defaults!\(HostScripts.entryPointPath) !requiretty, env_keep += "SSH_CONNECTION"
        \(user) ALL=(root) NOPASSWD: \(commands.joined(separator: ", "))

        """
    }

    public var sudoers: String? { user == "root" ? nil : Self.sudoers(user: user) }

    /// How `install` creates the account when the host has none: a system
    /// account with a group of its own, a home (its ~/.ssh made 0700 by the
    /// install) and /bin/sh, through which sshd runs the forced command.
    /// Password `*`: no password opens it, yet sshd without PAM lets the key
    /// in (it refuses accounts locked with `!`, even for keys).
    static func addUser(_ user: String) -> [String] {
        ["useradd", "--system", "--user-group", "--create-home", "--home-dir", "/home/\(user)", "--shell", "/bin/sh",
         "--password", "*", user]
    }

    /// `addUser` as a person would type it (what the dry run prints).
    public static func addUserCommand(_ user: String) -> String {
        addUser(user).map { $0 == "*" ? "'*'" : $0 }.joined(separator: " ")
    }

    /// The entry point, as installed.
    public static var entryPoint: String { HostScripts.entryPoint }
    public static var entryPointPath: String { HostScripts.entryPointPath }
    /// What the entry point answers to `version` (a digest of its text).
    public static var entryPointVersion: String { HostScripts.entryPointVersion }
    public static var sudoersPath: String { HostScripts.sudoersPath }

    /// What `install` sends: the bundle the install script reads.
    var bundle: ApplyBundle {
        var b = ApplyBundle()
        b.add("user", user)
        b.add("entry", HostScripts.entryPoint)
        b.add("sudoers", sudoers ?? "")
        b.add("keys", authorizedKeys.map { $0 + "\n" }.joined())
        return b
    }
}

