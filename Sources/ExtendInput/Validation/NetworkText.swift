import ExtendCore

/// Addresses and prefixes as the input must spell them.
enum NetworkText {
    enum CIDRProblem: Error, Equatable {
        case invalid
        /// Bits set below the prefix; carries the network that was likely meant.
        case hostBitsSet(CIDR)
    }

    /// A CIDR whose address has no bits set below the prefix, as Kubernetes
    /// requires of an ipBlock ("10.0.0.1/8" is rejected; "10.0.0.0/8" is meant).
    /// A bare address reads as a host prefix when `allowBareAddress` is set.
    static func strictCIDR(_ text: String, allowBareAddress: Bool = false) -> Result<CIDR, CIDRProblem> {
        guard let cidr = CIDR(text, allowBareAddress: allowBareAddress) else { return .failure(.invalid) }
        let written = text.split(separator: "/", maxSplits: 1).first.flatMap { IPAddress($0) }
        guard written == cidr.address else { return .failure(.hostBitsSet(cidr)) }
        return .success(cidr)
    }

    /// RFC 1123 host name (case-insensitive), e.g. `db-01.example.com`. An
    /// all-numeric last label is refused (RFC 3696), so `10.0.0.256` is not
    /// mistaken for a name.
    static func isHostname(_ s: String) -> Bool {
        let lower = s.lowercased()
        guard LabelValidation.isDNS1123Subdomain(lower),
              let last = lower.split(separator: ".").last else { return false }
        return last.contains { $0.isLetter }
    }
}
