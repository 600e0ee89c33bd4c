import ExtendCore
import ExtendSSH

/// The addresses this controller reaches the hosts from, added to every
/// host's lockout guard so that no change can cut the controller off (the
/// same guarantee `extend apply` gives its operator). Read once at start: a
/// pod keeps its address for its life.
public enum ControllerGuard {
    public static func sources(towards hosts: [LegacyHost]) -> [CIDR] {
        var out: Set<CIDR> = []
        for h in hosts {
            out.formUnion(HostAgent.guardSources(connect: h.connectAddress, port: h.ssh.port, management: []))
        }
        return out.sorted()
    }
}
