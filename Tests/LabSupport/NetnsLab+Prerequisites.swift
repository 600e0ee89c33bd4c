import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension NetnsLab {
    /// What this machine lacks for a kernel lab: root, network namespaces, the
    /// tools the tests drive, Python 3. Empty when kernel labs can be built.
    /// Worked out once per process.
    public static let missingPrerequisites: [String] = {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("kernel labs need root (network namespaces, iptables)") }
        if !FileManager.default.fileExists(atPath: "/proc/self/ns/net") {
            missing.append("no network namespaces (/proc/self/ns/net)")
        }
        for tool in ["ip", "ipset", "iptables-save", "iptables-restore", "ip6tables-save", "ip6tables-restore"]
        where NetnsCommand.find(tool) == nil {
            missing.append("no `\(tool)` in PATH")
        }
        if (try? python()) == nil { missing.append("no python3 (the listeners and probers are Python)") }
        if missing.isEmpty, let blocked = bridgedTrafficBlocked { missing.append(blocked) }
        return missing
    }()

    /// With br_netfilter loaded and `bridge-nf-call-iptables` on, frames
    /// crossing a bridge in the root namespace also pass that namespace's
    /// FORWARD chain. Where its policy is DROP (Docker sets one), every probe
    /// would look denied: say so rather than fail for the wrong reason.
    private static var bridgedTrafficBlocked: String? {
        for (sysctl, tool) in [("bridge-nf-call-iptables", "iptables"), ("bridge-nf-call-ip6tables", "ip6tables")] {
            let setting = try? String(contentsOfFile: "/proc/sys/net/bridge/" + sysctl, encoding: .utf8)
            guard setting?.hasPrefix("1") == true else { continue }
            let scratch = NSTemporaryDirectory() + "/npk-check-" + randomHex(8)
            let rules = try? NetnsCommand.start([tool, "-S", "FORWARD"], stdin: nil, scratch: scratch).wait(timeout: .seconds(10))
            if rules?.stdout.split(separator: "\n").first == "-P FORWARD DROP" {
                return "bridged traffic passes the root namespace's \(tool) FORWARD chain (net.bridge.\(sysctl) = 1), whose policy is DROP"
            }
        }
        return nil
    }

    /// True when this machine can build kernel labs (see `missingPrerequisites`).
    public static var isAvailable: Bool { missingPrerequisites.isEmpty }

    /// Whether the kernel has SCTP: an SCTP socket can be made (this also
    /// loads the module where it exists as one). Without it the listeners
    /// serve TCP and UDP only and SCTP probes cannot be sent.
    public static let sctpAvailable: Bool = {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), Int32(IPPROTO_SCTP))
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()

    /// The system's Python 3 (not a version-manager shim, which starts slowly
    /// and may depend on the caller's environment).
    static func python() throws(LabError) -> String {
        for candidate in ["/usr/bin/python3", "/bin/python3", "/usr/local/bin/python3"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return try NetnsCommand.executable("python3")
    }
}
