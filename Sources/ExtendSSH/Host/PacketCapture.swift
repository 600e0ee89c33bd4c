import ExtendCore

/// A capture as `tcpdump -w -` writes it (the classic pcap format), read for
/// what the doctor needs: each IP packet's source and destination addresses
/// and destination port. Pure bytes in, values out; link types are those
/// tcpdump gives on Linux (`-i any`: cooked v1 or v2; one interface:
/// Ethernet or raw IP).
public struct PacketCapture: Sendable {
    public struct Packet: Hashable, Sendable {
        public var source: IPAddress
        public var destination: IPAddress
        /// TCP, UDP and SCTP only.
        public var destinationPort: Int?
        /// false for a packet the capturing host sent (cooked captures say so).
        public var inbound: Bool
    }

    public var packets: [Packet] = []

    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(_ bytes: [UInt8]) throws(Malformed) {
        guard bytes.count >= 24 else {
            if bytes.isEmpty { return }
            throw Malformed(description: "a capture of \(bytes.count) bytes is shorter than its 24-byte header")
        }
        let little: Bool
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0xD4, 0xC3, 0xB2, 0xA1), (0x4D, 0x3C, 0xB2, 0xA1): little = true
        case (0xA1, 0xB2, 0xC3, 0xD4), (0xA1, 0xB2, 0x3C, 0x4D): little = false
        default: throw Malformed(description: "not a pcap capture (magic \(bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")))")
        }
        func u32(_ at: Int) -> Int {
            let b = bytes[at..<at + 4].map(Int.init)
            return little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24
        }
        let linkType = u32(20) & 0x0FFF_FFFF
        var at = 24
        while at + 16 <= bytes.count {
            let length = u32(at + 8)
            let start = at + 16
            // A capture cut short (tcpdump stopped mid-record) ends at its last whole record.
            guard length >= 0, start + length <= bytes.count else { break }
            if let p = Self.packet(Array(bytes[start..<start + length]), linkType: linkType) { packets.append(p) }
            at = start + length
        }
    }

    /// The sources of the inbound packets addressed to `addresses`, leaving
    /// out `excluding` (the doctor's own SSH session: its source and the host's SSH port).
    public func sources(to addresses: Set<IPAddress>, excluding: (source: IPAddress, port: Int)?) -> [ObservedSource] {
        var seen: [ObservedSource] = []
        for p in packets where p.inbound && addresses.contains(p.destination) {
            if let x = excluding, p.source == x.source, p.destinationPort == x.port { continue }
            seen.append(ObservedSource(address: p.source, packets: 1, ports: p.destinationPort.map { [$0] } ?? []))
        }
        return ObservedSource.merged(seen)
    }

    private static func packet(_ b: [UInt8], linkType: Int) -> Packet? {
        func u16(_ at: Int) -> Int { at + 1 < b.count ? Int(b[at]) << 8 | Int(b[at + 1]) : -1 }
        var inbound = true
        let ipAt: Int
        switch linkType {
        case 1:  // Ethernet, with one 802.1Q tag at most
            var type = u16(12), off = 14
            if type == 0x8100 { type = u16(16); off = 18 }
            guard type == 0x0800 || type == 0x86DD else { return nil }
            ipAt = off
        case 113:  // Linux cooked v1: packet type at 0, protocol at 14
            guard b.count >= 16 else { return nil }
            inbound = u16(0) != 4
            guard [0x0800, 0x86DD].contains(u16(14)) else { return nil }
            ipAt = 16
        case 276:  // Linux cooked v2: protocol at 0, packet type at 10
            guard b.count >= 20 else { return nil }
            inbound = b[10] != 4
            guard [0x0800, 0x86DD].contains(u16(0)) else { return nil }
            ipAt = 20
        case 12, 14, 101:  // raw IP
            ipAt = 0
        default:
            return nil
        }
        guard ipAt < b.count else { return nil }
        func address(_ at: Int, _ n: Int) -> IPAddress? {
            guard at + n <= b.count else { return nil }
            if n == 4 { return .v4(b[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }) }
            let hi = b[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) }, lo = b[at + 8..<at + 16].reduce(0) { $0 << 8 | UInt64($1) }
            return .v6(hi: hi, lo: lo)
        }
        let proto: Int, transport: Int
        let src: IPAddress, dst: IPAddress
        switch b[ipAt] >> 4 {
        case 4:
            guard let s = address(ipAt + 12, 4), let d = address(ipAt + 16, 4) else { return nil }
            (src, dst) = (s, d)
            proto = ipAt + 9 < b.count ? Int(b[ipAt + 9]) : -1
            transport = ipAt + Int(b[ipAt] & 0x0F) * 4
        case 6:
            guard let s = address(ipAt + 8, 16), let d = address(ipAt + 24, 16) else { return nil }
            (src, dst) = (s, d)
            proto = ipAt + 6 < b.count ? Int(b[ipAt + 6]) : -1
            transport = ipAt + 40
        default:
            return nil
        }
        let port = [6, 17, 132].contains(proto) && u16(transport + 2) >= 0 ? u16(transport + 2) : nil
        return Packet(source: src, destination: dst, destinationPort: port, inbound: inbound)
    }
}
