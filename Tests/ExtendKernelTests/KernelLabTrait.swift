import Foundation
import LabSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Kernel tests need root, network namespaces, iptables, ipset and
    /// Python 3. Where they are missing the tests are skipped, except under CI
    /// (`CI` set): CI runs as root, so there a missing prerequisite fails the
    /// tests instead of hiding them.
    static var kernelLab: Self {
        .enabled(
            if: NetnsLab.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil,
            "needs root, network namespaces, iptables, ipset and python3 (see NetnsLab.missingPrerequisites)")
    }
}
