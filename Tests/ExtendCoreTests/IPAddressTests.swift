import ExtendCore
import Testing

/// Address text in and out: what `ipBlock` cidrs, inventory addresses and
/// `explain` refs are parsed with, and what rendered rules print.
@Suite("IPAddress")
struct IPAddressTests {
    /// Valid text and its canonical form. "RFC 5952: lower case, the longest
    /// run of two or more zero groups compressed (the first when tied), a single
    /// zero group never compressed, leading zeros dropped."
    @Test("parses and prints canonically", arguments: [
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("198.18.0.11", "198.18.0.11"),
        ("10.0.0.1", "10.0.0.1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),      // tie: the first run
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),            // the longest run
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),   // one zero group stays
        ("fe80:0:0:0:1:0:0:0", "fe80::1:0:0:0"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),             // "::" for one group parses, never prints
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("2001:db8::ffff", "2001:db8::ffff"),
    ])
    func canonical(_ text: String, _ expected: String) throws {
        let ip = try #require(IPAddress(text))
        #expect(ip.description == expected)
        #expect(IPAddress(expected) == ip, "the canonical form parses back to the same address")
    }

    @Test("embedded IPv4 tails parse to the right value", arguments: [
        ("::ffff:1.2.3.4", IPAddress.v6(hi: 0, lo: 0x0000_ffff_0102_0304)),
        ("::1.2.3.4", IPAddress.v6(hi: 0, lo: 0x0000_0000_0102_0304)),
        ("64:ff9b::192.0.2.33", IPAddress.v6(hi: 0x0064_ff9b_0000_0000, lo: 0x0000_0000_c000_0221)),
        ("1:2:3:4:5:6:1.2.3.4", IPAddress.v6(hi: 0x0001_0002_0003_0004, lo: 0x0005_0006_0102_0304)),
        ("1.2.3.4", IPAddress.v4(0x0102_0304)),
    ])
    func embeddedV4(_ text: String, _ expected: IPAddress) {
        #expect(IPAddress(text) == expected)
    }

    /// RFC 5952 §5: for IPv4-mapped addresses "mixed notation is RECOMMENDED";
    /// iptables-save (inet_ntop) prints `::ffff:1.2.3.4` as well.
    @Test("IPv4-mapped addresses print in mixed notation")
    func mappedPrintsMixed() {
        #expect(IPAddress("::ffff:1.2.3.4")?.description == "::ffff:1.2.3.4")
    }

    @Test("rejects malformed text", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3",
        "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "0x1.2.3.4", "1.2.3.4/32", "1234.1.1.1",
        ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", ":1::", "1:", ":", "::1:",
        "1::2:3:4:5:6:7:8", "::ffff:256.1.1.1", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5",
        "fe80::1%eth0", "[::1]", "2001:db8::/32",
    ])
    func invalid(_ text: String) {
        #expect(IPAddress(text) == nil, "\"\(text)\" must not parse")
    }

    /// A group is one to four hex digits; Swift's integer parser also takes a sign.
    @Test("rejects signed IPv6 groups", arguments: ["2001:db8::+1", "+1::", "::-0"])
    func signedGroups(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("orders IPv4 before IPv6, numerically within a family")
    func ordering() {
        let sorted = ["2001:db8::1", "198.18.0.12", "::1", "9.9.9.9", "198.18.0.2"].compactMap(IPAddress.init).sorted()
        #expect(sorted.map(\.description) == ["9.9.9.9", "198.18.0.2", "198.18.0.12", "::1", "2001:db8::1"])
    }
}
