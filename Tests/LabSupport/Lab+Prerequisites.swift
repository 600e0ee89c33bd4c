import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// What this machine lacks for a lab: root, network namespaces, sshd and
    /// the tools the lab runs. Empty when labs can be built.
    public static var missingPrerequisites: [String] {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("labs need root (network namespaces, sshd)") }
        if !FileManager.default.fileExists(atPath: "/proc/self/ns/net") {
            missing.append("no network namespaces (/proc/self/ns/net)")
        }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") {
            missing.append("no /usr/sbin/sshd (apt-get install openssh-server)")
        }
        for tool in ["ip", "unshare", "nsenter", "ssh-keygen", "ssh-agent", "ssh-add", "sh"] where findInPath(tool) == nil {
            missing.append("no `\(tool)` in PATH")
        }
        return missing
    }

    /// True when this machine can build labs (see `missingPrerequisites`).
    public static var isAvailable: Bool { missingPrerequisites.isEmpty }

    private static func findInPath(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
