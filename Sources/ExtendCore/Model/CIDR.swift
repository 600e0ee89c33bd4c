/// A network prefix. The address is always stored masked, so two spellings
/// of one network compare equal and render identically.
public struct CIDR: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefix: Int

    public init?(address: IPAddress, prefix: Int) {
        guard prefix >= 0, prefix <= address.family.bits else { return nil }
        self.address = CIDR.mask(address, prefix)
        self.prefix = prefix
    }

    /// Parses `a.b.c.d/n`, `x::/n`; a bare address is a host prefix when
    /// `allowBareAddress` is set. Host bits set below the prefix are an error
    /// when `strict` (Kubernetes rejects `10.0.0.1/8` in an ipBlock).
    public init?(_ text: String, allowBareAddress: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 1 {
            guard allowBareAddress, let a = IPAddress(parts[0]) else { return nil }
            self.init(address: a, prefix: a.family.bits)
            return
        }
        guard parts.count == 2, let a = IPAddress(parts[0]),
              !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit),
              parts[1].count <= 3, let n = Int(parts[1]) else { return nil }
        self.init(address: a, prefix: n)
    }

    public init(host: IPAddress) {
        address = host
        prefix = host.family.bits
    }

    public var family: AddressFamily { address.family }
    public var isHost: Bool { prefix == family.bits }

    public func contains(_ ip: IPAddress) -> Bool {
        ip.family == family && CIDR.mask(ip, prefix) == address
    }

    public func contains(_ other: CIDR) -> Bool {
        other.family == family && other.prefix >= prefix && contains(other.address)
    }

    public func overlaps(_ other: CIDR) -> Bool { contains(other) || other.contains(self) }

    /// hash:net sets cannot hold a /0, so a whole family is stored as its two halves.
    public var splitForHashNet: [CIDR] {
        guard prefix == 0 else { return [self] }
        switch family {
        case .inet:
            return [CIDR(address: .v4(0), prefix: 1)!, CIDR(address: .v4(0x8000_0000), prefix: 1)!]
        case .inet6:
            return [CIDR(address: .v6(hi: 0, lo: 0), prefix: 1)!,
                    CIDR(address: .v6(hi: 0x8000_0000_0000_0000, lo: 0), prefix: 1)!]
        }
    }

    public var description: String { "\(address)/\(prefix)" }

    public static func < (a: CIDR, b: CIDR) -> Bool { (a.address, a.prefix) < (b.address, b.prefix) }

    static func mask(_ ip: IPAddress, _ prefix: Int) -> IPAddress {
        switch ip {
        case .v4(let v):
            let m: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
            return .v4(v & m)
        case .v6(let hi, let lo):
            let mh: UInt64 = prefix >= 64 ? ~0 : (prefix == 0 ? 0 : ~UInt64(0) << UInt64(64 - prefix))
            let ml: UInt64 = prefix <= 64 ? 0 : (prefix == 128 ? ~0 : ~UInt64(0) << UInt64(128 - prefix))
            return .v6(hi: hi & mh, lo: lo & ml)
        }
    }
}
