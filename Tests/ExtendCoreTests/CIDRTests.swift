import ExtendCore
import Testing

/// ipBlock cidr/except values: parsing, masking, containment, the /0 split.
@Suite("CIDR")
struct CIDRTests {
    /// "cidr is a string representing the IPBlock. Valid examples are
    /// \"192.168.1.0/24\" or \"2001:db8::/64\"." Host bits below the prefix are
    /// masked off, so two spellings of one network are one value.
    @Test("parses and masks", arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("1.2.3.4/0", "0.0.0.0/0"),
        ("198.19.255.255/15", "198.18.0.0/15"),
        ("1.2.3.4/32", "1.2.3.4/32"),
        ("255.255.255.255/31", "255.255.255.254/31"),
        ("255.255.255.255/1", "128.0.0.0/1"),
        ("::/0", "::/0"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:db8::1/64", "2001:db8::/64"),
        ("2001:db8:1:2:3:4:ffff:6/100", "2001:db8:1:2:3:4:f000:0/100"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/63", "ffff:ffff:ffff:fffe::/63"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/64", "ffff:ffff:ffff:ffff::/64"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/65", "ffff:ffff:ffff:ffff:8000::/65"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
        ("ffff::/1", "8000::/1"),
    ])
    func parse(_ text: String, _ expected: String) throws {
        let c = try #require(CIDR(text))
        #expect(c.description == expected)
        #expect(CIDR(expected) == c)
    }

    @Test("rejects malformed prefixes", arguments: [
        "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/", "/8", "1.2.3.4/1/2", "1.2.3.4/ 8", "1.2.3.4/+8", "1.2.3.4/1000",
        "2001:db8::1/129", "::/129", "1.2.3/8", "256.0.0.0/8", "1.2.3.4/x", "",
    ])
    func invalid(_ text: String) {
        #expect(CIDR(text) == nil, "\"\(text)\" must not parse")
    }

    @Test("a bare address is a host prefix only when allowed")
    func bareAddress() {
        #expect(CIDR("198.18.0.11") == nil)
        #expect(CIDR("198.18.0.11", allowBareAddress: true)?.description == "198.18.0.11/32")
        #expect(CIDR("2001:db8::11", allowBareAddress: true)?.description == "2001:db8::11/128")
        #expect(CIDR("2001:db8::11", allowBareAddress: true)?.isHost == true)
        #expect(CIDR(host: IPAddress("198.18.0.11")!) == CIDR("198.18.0.11/32"))
    }

    @Test("prefix out of range is refused by the value initializer too")
    func prefixRange() {
        #expect(CIDR(address: .v4(0), prefix: 33) == nil)
        #expect(CIDR(address: .v4(0), prefix: -1) == nil)
        #expect(CIDR(address: .v6(hi: 0, lo: 0), prefix: 129) == nil)
        #expect(CIDR(address: .v6(hi: 0, lo: 0), prefix: 128) != nil)
    }

    @Test("contains an address", arguments: [
        ("198.18.0.0/15", "198.19.255.255", true),
        ("198.18.0.0/15", "198.18.0.0", true),
        ("198.18.0.0/15", "198.20.0.0", false),
        ("198.18.0.0/15", "198.17.255.255", false),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("0.0.0.0/0", "::1", false),             // families never mix
        ("::/0", "1.2.3.4", false),
        ("::/0", "2001:db8::1", true),
        ("1.2.3.4/32", "1.2.3.4", true),
        ("1.2.3.4/32", "1.2.3.5", false),
        ("::ffff:0:0/96", "::ffff:1.2.3.4", true),
        ("::ffff:0:0/96", "1.2.3.4", false),     // a mapped range is IPv6, not IPv4
        ("2001:db8::/32", "2001:db8:ffff:ffff::1", true),
        ("2001:db8::/32", "2001:db9::", false),
    ])
    func containsAddress(_ cidr: String, _ ip: String, _ expected: Bool) throws {
        let c = try #require(CIDR(cidr)), a = try #require(IPAddress(ip))
        #expect(c.contains(a) == expected)
    }

    @Test("contains and overlaps a network", arguments: [
        ("10.0.0.0/8", "10.1.0.0/16", true, true),
        ("10.1.0.0/16", "10.0.0.0/8", false, true),
        ("10.0.0.0/8", "10.0.0.0/8", true, true),
        ("10.0.0.0/8", "11.0.0.0/8", false, false),
        ("0.0.0.0/0", "::/0", false, false),
        ("198.19.0.0/16", "198.19.1.0/24", true, true),
        ("198.19.0.0/16", "198.20.1.0/24", false, false),
    ])
    func containsNetwork(_ a: String, _ b: String, _ contains: Bool, _ overlaps: Bool) throws {
        let x = try #require(CIDR(a)), y = try #require(CIDR(b))
        #expect(x.contains(y) == contains)
        #expect(x.overlaps(y) == overlaps)
        #expect(y.overlaps(x) == overlaps)
    }

    /// "hash:net sets cannot hold a /0, so a whole family is stored as its two halves."
    @Test("/0 splits in two for hash:net", arguments: [
        ("0.0.0.0/0", ["0.0.0.0/1", "128.0.0.0/1"]),
        ("::/0", ["::/1", "8000::/1"]),
        ("10.0.0.0/8", ["10.0.0.0/8"]),
        ("0.0.0.0/1", ["0.0.0.0/1"]),
        ("2001:db8::/32", ["2001:db8::/32"]),
    ])
    func splitForHashNet(_ cidr: String, _ halves: [String]) throws {
        let c = try #require(CIDR(cidr))
        #expect(c.splitForHashNet.map(\.description) == halves)
        // Together the halves hold exactly what the whole holds.
        for probe in ["0.0.0.1", "127.255.255.255", "128.0.0.0", "255.255.255.255", "::1", "8000::", "ffff::1"] {
            let ip = IPAddress(probe)!
            #expect(c.splitForHashNet.contains { $0.contains(ip) } == c.contains(ip), "\(probe)")
        }
    }

    @Test("orders by address, then prefix")
    func ordering() {
        let sorted = ["10.0.0.0/16", "2001:db8::/32", "10.0.0.0/8", "9.0.0.0/8"].compactMap { CIDR($0) }.sorted()
        #expect(sorted.map(\.description) == ["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "2001:db8::/32"])
    }
}
