import Foundation
import LabSupport

/// What a lab host holds of ours, read inside the host (not over SSH, so
/// reading costs no SSH round trip and is not counted), normalised so two
/// hosts loaded by different tools compare equal when their rules are.
enum LabRules {
    /// Our lines of `ipset save`, `iptables-save -t filter` and
    /// `ip6tables-save -t filter`. Set lines are sorted (the kernel lists
    /// members in hash order) and lose `initval` (random per set) and
    /// `bucketsize`; chain lines keep their order and lose packet counters.
    static func read(_ lab: Lab, _ host: LabHost) throws(BenchError) -> [String] {
        let script = "ipset save; echo '#npx-bench iptables'; iptables-save -t filter; echo '#npx-bench ip6tables'; ip6tables-save -t filter"
        let r = try exec(lab, host, script)
        var sets: [String] = []
        var chains: [String] = []
        var section = "ipset"
        for line in r.split(separator: "\n").map(String.init) {
            if line.hasPrefix("#npx-bench ") { section = String(line.dropFirst(11)); continue }
            if section == "ipset" {
                guard line.hasPrefix("create npx-") || line.hasPrefix("add npx-") else { continue }
                sets.append(normaliseSet(line))
            } else if line.contains("NPX-") {
                chains.append(section + " " + line.replacingOccurrences(of: #" \[\d+:\d+\]$"#, with: "", options: .regularExpression))
            }
        }
        return sets.sorted().map { "ipset " + $0 } + chains
    }

    static func normaliseSet(_ line: String) -> String {
        line.replacingOccurrences(of: #" initval 0x[0-9a-f]+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #" bucketsize \d+"#, with: "", options: .regularExpression)
    }

    /// Removes every rule and set of ours from the host: the jumps from the
    /// built-in chains, our chains (emptied first, as they refer to each
    /// other), then our sets; and the files a previous run left in the host's
    /// private /var/lib/netpol-extend. Afterwards the host is as fresh as the lab made it.
    static let resetScript = """
        set -e
        # Only inside the host's own mount namespace, where these are its private tmpfs.
        mountpoint -q /var/lib/netpol-extend && mountpoint -q /run/netpol-extend || {
          echo "not inside a lab host's mount namespace (is its sshd running?); nothing was changed" >&2; exit 9; }
        for t in iptables ip6tables; do
          $t -S | grep -E "^-A (INPUT|OUTPUT|FORWARD) .*-j NPX-" | sed "s/^-A/-D/" | while read -r rule; do $t $rule; done
          chains=$($t -S | sed -n "s/^-N \\(NPX-[^ ]*\\)$/\\1/p")
          for c in $chains; do $t -F "$c"; done
          for c in $chains; do $t -X "$c"; done
        done
        for s in $(ipset list -n | grep "^npx-" || true); do ipset destroy "$s"; done
        find /var/lib/netpol-extend /run/netpol-extend -mindepth 1 -delete
        """

    static func reset(_ lab: Lab, _ host: LabHost) throws(BenchError) {
        _ = try exec(lab, host, resetScript)
        let left = try read(lab, host)
        guard left.isEmpty else {
            throw BenchError("\(host.name): after the reset it still holds \(left.count) line(s) of ours, e.g. \(left[0])")
        }
    }

    private static func exec(_ lab: Lab, _ host: LabHost, _ script: String) throws(BenchError) -> String {
        let r: LabCommandResult
        do {
            r = try lab.exec(in: host, ["sh", "-c", script])
        } catch {
            throw BenchError("\(host.name): \(error)")
        }
        guard r.succeeded else {
            throw BenchError("\(host.name): `sh -c …` exited \(r.status): \(r.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return r.stdoutText
    }
}
