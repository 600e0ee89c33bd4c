import ExtendCore

/// NetworkPolicyPort.
extension ManifestDecoder {
    static let portKeys = ["protocol", "port", "endPort"]

    /// "The protocol (TCP, UDP, or SCTP) which traffic must match. If not
    /// specified, this field defaults to TCP." "port: ... If this field is not
    /// provided, this matches all port names and numbers." "endPort indicates
    /// that a range of ports from port to endPort if set, inclusive, should be
    /// allowed by the policy. This field cannot be defined if the port field is
    /// not defined or if the port field is defined as a named (string) port.
    /// The endPort must be equal or greater than port."
    func portMatch(_ c: Cursor) -> NetworkPolicy.PortMatch? {
        // A null entry is the zero port: TCP, every port.
        guard let f = c.isNull ? Fields.empty(at: c) : c.fields() else { return nil }
        f.warnUnknown(known: Self.portKeys)
        let proto = f["protocol"].map { $0.proto() } ?? .tcp
        var port: NetworkPolicy.PortMatch.Port?
        var ok = true
        if let p = f["port"] {
            port = self.port(p)
            ok = port != nil
        }
        var endPort: Int?
        if let e = f["endPort"] {
            endPort = e.portNumber()
            if let end = endPort {
                switch port {
                case .number(let start) where end < start:
                    e.error("endPort \(end) is below port \(start); endPort must be at least port")
                    ok = false
                case .named(let name):
                    e.error("endPort may only follow a numeric port, not the named port \"\(name)\"")
                    ok = false
                case nil where ok:
                    e.error("endPort needs a numeric port to start the range")
                    ok = false
                default: break
                }
            } else { ok = false }
        }
        guard ok, let proto else { return nil }
        return NetworkPolicy.PortMatch(proto: proto, port: port, endPort: endPort)
    }

    /// An IntOrString: a number, or a port name. A string of digits is the
    /// number, as kubectl's intstr reads `"80"`.
    private func port(_ c: Cursor) -> NetworkPolicy.PortMatch.Port? {
        if case .string(let s) = c.scalar, !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let n = Int(s), (1...65535).contains(n) else {
                c.error("port \(s) is out of range; must be 1-65535")
                return nil
            }
            return .number(n)
        }
        switch c.scalar {
        case .string: return c.portName().map { .named($0) }
        case .int: return c.portNumber().map { .number($0) }
        default:
            c.typeError(expected: "a port number (1-65535) or a port name")
            return nil
        }
    }
}
