/// Who this replica is in the Lease: its pod name (`POD_NAME`, from the
/// downward API), unique among running replicas; else the host name with a
/// random suffix, so two processes on one machine still differ.
public enum LeaderIdentity {
    public static func choose(environment: [String: String], hostName: String,
                              suffix: String = randomSuffix()) -> String {
        if let pod = environment["POD_NAME"], !pod.isEmpty { return pod }
        return "\(hostName.isEmpty ? "netpol-extend" : hostName)_\(suffix)"
    }

    /// 8 hex digits.
    public static func randomSuffix() -> String {
        let n = UInt32.random(in: .min ... .max)
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
