import Foundation

extension Lab {
    /// The iptables backends Debian's iptables package ships
    /// (xtables-nft-multi and xtables-legacy-multi).
    public enum IptablesBackend: String, Sendable, CaseIterable {
        case nft, legacy
    }

    /// The programs Debian picks through /etc/alternatives, one family each:
    /// `iptables`, `iptables-save`, `iptables-restore` and their ip6tables twins.
    static let iptablesAlternatives = ["iptables", "ip6tables"].flatMap { [$0, $0 + "-save", $0 + "-restore"] }

    /// Restarts the host's sshd so that, in its sessions, iptables,
    /// iptables-save, iptables-restore and their ip6tables twins are the
    /// given backend's (/usr/sbin/iptables-legacy, …): a lab copy of
    /// /etc/alternatives with those links changed, mounted over
    /// /etc/alternatives in that sshd's mount namespace only. `exec(in:)`
    /// runs in that namespace too, so the host's plain `iptables-save` reads
    /// the same tables as SSH sessions do. Restarting sshd undoes it.
    public func useIptables(_ backend: IptablesBackend, on host: LabHost) throws {
        var links: [String: String] = [:]
        for name in Self.iptablesAlternatives {
            let base = name.split(separator: "-", maxSplits: 1)
            let program = "/usr/sbin/\(base[0])-\(backend.rawValue)" + (base.count > 1 ? "-\(base[1])" : "")
            guard FileManager.default.isExecutableFile(atPath: program) else {
                throw LabError("cannot give \(host.name) the \(backend) iptables backend: \(program) is not installed")
            }
            links[name] = program
        }
        let covering = try alternativesCovering(for: host, replacing: links)
        killSSHD(host)
        try startSSHD(host, covering: [covering])
    }
}
