import ExtendCore
@testable import ExtendSSH
import Testing

/// `extend doctor` reads tcpdump's capture (pcap) from the host: who sent
/// what to the host's addresses, in the link types tcpdump writes on Linux.
@Suite("Packet capture")
struct PacketCaptureTests {
    /// A pcap file: header (little- or big-endian) and one record per frame.
    static func pcap(linkType: UInt32, bigEndian: Bool = false, _ frames: [[UInt8]], cutLast: Int = 0) -> [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] {
            let b = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
            return bigEndian ? b.reversed() : b
        }
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        var out = u32(0xA1B2_C3D4) + u16(2) + u16(4) + u32(0) + u32(0) + u32(128) + u32(linkType)
        for f in frames { out += u32(1) + u32(0) + u32(UInt32(f.count)) + u32(UInt32(f.count)) + f }
        return Array(out.dropLast(cutLast))
    }

    static func ipv4(_ src: [UInt8], _ dst: [UInt8], proto: UInt8 = 6, port: UInt16 = 5432) -> [UInt8] {
        [0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, proto, 0, 0] + src + dst + [0xC0, 0x01, UInt8(port >> 8), UInt8(port & 0xFF)] + Array(repeating: 0, count: 16)
    }

    static func ipv6(_ src: String, _ dst: String, proto: UInt8 = 17, port: UInt16 = 53) -> [UInt8] {
        func bytes(_ a: String) -> [UInt8] {
            guard case .v6(let hi, let lo)? = IPAddress(a) else { return [] }
            return (0..<8).reversed().map { UInt8(hi >> (UInt64($0) * 8) & 0xFF) } + (0..<8).reversed().map { UInt8(lo >> (UInt64($0) * 8) & 0xFF) }
        }
        return [0x60, 0, 0, 0, 0, 8, proto, 64] + bytes(src) + bytes(dst) + [0x30, 0x39, UInt8(port >> 8), UInt8(port & 0xFF), 0, 8, 0, 0]
    }

    /// Linux cooked v2 (`-i any`): protocol, interface, packet type (4: sent by this host).
    static func sll2(_ ip: [UInt8], outgoing: Bool = false) -> [UInt8] {
        let proto: [UInt8] = ip.first.map { $0 >> 4 == 6 ? [0x86, 0xDD] : [0x08, 0x00] } ?? [0, 0]
        return proto + [0, 0, 0, 0, 0, 2, 0, 1, outgoing ? 4 : 0, 6, 0, 0, 0, 0, 0, 0, 0, 0] + ip
    }

    static let db = IPAddress("198.18.5.10")!

    @Test("-i any (cooked v2): inbound packets to the host's addresses by source, ports merged; outgoing ones and other destinations left out")
    func cookedV2() throws {
        let frames = [
            Self.sll2(Self.ipv4([10, 0, 0, 5], [198, 18, 5, 10])),
            Self.sll2(Self.ipv4([10, 0, 0, 5], [198, 18, 5, 10], port: 443)),
            Self.sll2(Self.ipv4([198, 18, 5, 10], [10, 0, 0, 5]), outgoing: true),
            Self.sll2(Self.ipv4([10, 0, 0, 7], [198, 18, 5, 99])),
            Self.sll2(Self.ipv6("fd00::5", "2001:db8::10")),
        ]
        let capture = try PacketCapture(Self.pcap(linkType: 276, frames))
        #expect(capture.packets.count == 5)
        let seen = capture.sources(to: [Self.db, IPAddress("2001:db8::10")!], excluding: nil)
        #expect(seen == [ObservedSource(address: IPAddress("10.0.0.5")!, packets: 2, ports: [443, 5432]),
                         ObservedSource(address: IPAddress("fd00::5")!, packets: 1, ports: [53])])
    }

    @Test("the doctor's own SSH session (its source, to the SSH port) is not counted; the same source to another port is")
    func excludesOwnSession() throws {
        let frames = [Self.sll2(Self.ipv4([198, 18, 5, 1], [198, 18, 5, 10], port: 22)),
                      Self.sll2(Self.ipv4([198, 18, 5, 1], [198, 18, 5, 10], port: 5432))]
        let seen = try PacketCapture(Self.pcap(linkType: 276, frames)).sources(to: [Self.db], excluding: (IPAddress("198.18.5.1")!, 22))
        #expect(seen == [ObservedSource(address: IPAddress("198.18.5.1")!, packets: 1, ports: [5432])])
    }

    @Test("Ethernet (with a VLAN tag), cooked v1 and raw IP, either byte order; ICMP has no port")
    func otherLinkTypes() throws {
        let ip = Self.ipv4([10, 0, 0, 5], [198, 18, 5, 10])
        let ether = Array(repeating: UInt8(0), count: 12) + [0x81, 0x00, 0, 5, 0x08, 0x00] + ip
        let sll1 = [0, 0, 0, 1, 0, 6] + Array(repeating: UInt8(0), count: 8) + [0x08, 0x00] + ip
        for (type, frame) in [(UInt32(1), ether), (113, sll1), (101, ip)] {
            for big in [false, true] {
                let p = try PacketCapture(Self.pcap(linkType: type, bigEndian: big, [frame])).packets
                #expect(p == [.init(source: IPAddress("10.0.0.5")!, destination: Self.db, destinationPort: 5432, inbound: true)], "link type \(type)")
            }
        }
        let icmp = try PacketCapture(Self.pcap(linkType: 101, [Self.ipv4([10, 0, 0, 5], [198, 18, 5, 10], proto: 1)])).packets
        #expect(icmp.first?.destinationPort == nil)
    }

    @Test("an empty capture has no packets; a cut-off last record is dropped; anything but pcap is refused by name")
    func damaged() throws {
        #expect(try PacketCapture([]).packets.isEmpty)
        let frames = [Self.sll2(Self.ipv4([10, 0, 0, 5], [198, 18, 5, 10])), Self.sll2(Self.ipv4([10, 0, 0, 6], [198, 18, 5, 10]))]
        #expect(try PacketCapture(Self.pcap(linkType: 276, frames, cutLast: 7)).packets.map(\.source) == [IPAddress("10.0.0.5")!])
        #expect(throws: PacketCapture.Malformed.self) { try PacketCapture(Array("listening on any, link-type LINUX_SLL2".utf8)) }
        #expect(throws: PacketCapture.Malformed.self) { try PacketCapture([0xD4, 0xC3]) }
    }
}
