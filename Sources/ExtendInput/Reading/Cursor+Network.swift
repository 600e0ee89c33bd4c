import ExtendCore

/// Reads of the values both the inventory and manifests share: protocols,
/// port numbers and names, labels, addresses and prefixes.
extension Cursor {
    /// TCP, UDP or SCTP, exactly so spelt (Kubernetes is case-sensitive here).
    func proto() -> Proto? {
        guard let s = string() else { return nil }
        if let p = Proto(rawValue: s) { return p }
        let hint = Proto(rawValue: s.uppercased()) != nil ? " (in upper case)" : ""
        error("protocol \(ScalarValue.quote(s)) is not supported; must be TCP, UDP or SCTP\(hint)")
        return nil
    }

    /// An integer port number, 1-65535.
    func portNumber() -> Int? {
        guard let n = int() else { return nil }
        guard (1...65535).contains(n) else {
            error("port \(n) is out of range; must be 1-65535")
            return nil
        }
        return n
    }

    /// A named port's name (IANA_SVC_NAME).
    func portName() -> String? {
        guard let s = string() else { return nil }
        let problems = PortName.problems(s)
        guard problems.isEmpty else {
            error(problems.joined(separator: "; ") + " (IANA service name, e.g. \"postgres\" or \"http-alt\")")
            return nil
        }
        return s
    }

    /// Labels, each key and value checked as Kubernetes checks them.
    func labels() -> Labels? {
        guard let map = stringMap() else { return nil }
        let problems = LabelValidation.labelsProblems(map)
        guard problems.isEmpty else {
            for p in problems { error(p) }
            return nil
        }
        return map
    }

    /// A plain IPv4 or IPv6 address (no prefix, no zone).
    func ipAddress() -> IPAddress? {
        guard let s = string() else { return nil }
        if let a = IPAddress(s) { return a }
        if s.contains("/") {
            error("\(ScalarValue.quote(s)) is a prefix; expected a single IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10")
        } else {
            error("\(ScalarValue.quote(s)) is not an IP address; expected an IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10")
        }
        return nil
    }

    /// A prefix with no host bits set; with `allowBareAddress`, an address is a /32 or /128.
    func cidr(allowBareAddress: Bool = false) -> CIDR? {
        guard let s = string() else { return nil }
        switch NetworkText.strictCIDR(s, allowBareAddress: allowBareAddress) {
        case .success(let c):
            return c
        case .failure(.hostBitsSet(let meant)):
            error("\(ScalarValue.quote(s)) has bits set after the prefix length; must be a valid CIDR such as \(meant)")
        case .failure(.invalid):
            let bare = allowBareAddress ? " or a single address" : ""
            error("\(ScalarValue.quote(s)) must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32\(bare)")
        }
        return nil
    }

    /// A DNS-1123 label: what namespace and host names must be.
    func dnsLabel(_ what: String) -> String? {
        guard let s = string() else { return nil }
        guard LabelValidation.isDNS1123Label(s) else {
            error("\(what) \(ScalarValue.quote(s)) must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit")
            return nil
        }
        return s
    }
}
