/// Companion names: `<policy>-npx-hosts`, the same for the same policy
/// whatever it holds, so a companion is updated in place as hosts come and go.
public enum CompanionName {
    public static let suffix = "-npx-hosts"
    /// metadata.name of a NetworkPolicy is a DNS subdomain: at most 253 characters.
    public static let limit = 253
    /// Hex digits of the source name's hash in a shortened name.
    public static let hashLength = 10

    /// A source name too long to take the suffix keeps its head, then a hash
    /// of the whole name (so two long names that share a head stay apart).
    public static func of(_ source: String) -> String {
        let plain = source + suffix
        guard plain.utf8.count > limit else { return plain }
        let room = limit - suffix.utf8.count - hashLength - 1
        // A subdomain's labels end in an alphanumeric: no `-` or `.` before the hash's `-`.
        var head = Substring(source.prefix(room))
        while let last = head.last, last == "-" || last == "." { head = head.dropLast() }
        return head + "-" + Naming.hex(source, hashLength) + suffix
    }
}
