/// An IPv4 or IPv6 address, parsed and printed without any C library so the
/// core stays pure. Ordering is total (v4 before v6) so output can be sorted.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(hi: UInt64, lo: UInt64)

    public var family: AddressFamily {
        switch self {
        case .v4: .inet
        case .v6: .inet6
        }
    }

    public init?(_ text: some StringProtocol) {
        let s = String(text)
        if s.contains(":") {
            guard let v = IPAddress.parseV6(s) else { return nil }
            self = v
        } else {
            guard let v = IPAddress.parseV4(s) else { return nil }
            self = .v4(v)
        }
    }

    private static func parseV4(_ s: String) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCIIDigit),
                  let n = UInt32(p), n <= 255 else { return nil }
            // Leading zeros are ambiguous (octal in some parsers): Kubernetes rejects them too.
            if p.count > 1 && p.first == "0" { return nil }
            value = value << 8 | n
        }
        return value
    }

    private static func parseV6(_ s: String) -> IPAddress? {
        if s.contains("%") { return nil }  // zones never belong in a firewall rule
        var text = Substring(s)
        var tailV4: UInt32?
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(String(text[text.index(after: lastColon)...])) else { return nil }
            tailV4 = v4
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        let halves = IPAddress.splitDoubleColon(String(text))
        guard halves.count <= 2 else { return nil }
        func groups(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            for g in h.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), g.allSatisfy(\.isHexDigit), let n = UInt16(g, radix: 16) else { return nil }
                out.append(n)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        let wanted = tailV4 == nil ? 8 : 6
        if halves.count == 2 {
            guard let tail = groups(halves[1]) else { return nil }
            let missing = wanted - head.count - tail.count
            guard missing >= 1 else { return nil }
            all = head + Array(repeating: 0, count: missing) + tail
        } else {
            guard head.count == wanted else { return nil }
            all = head
        }
        if let v4 = tailV4 {
            all.append(UInt16(v4 >> 16))
            all.append(UInt16(v4 & 0xffff))
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        return .v6(hi: hi, lo: lo)
    }

    private static func splitDoubleColon(_ s: String) -> [String] {
        var out: [String] = [], cur = "", prevColon = false
        for ch in s {
            if ch == ":" && prevColon {
                cur.removeLast()
                out.append(cur)
                cur = ""
                prevColon = false
                continue
            }
            cur.append(ch)
            prevColon = ch == ":"
        }
        out.append(cur)
        return out
    }

    /// RFC 5952 text: lower case, longest zero run compressed.
    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
        case .v6(let hi, let lo):
            var g: [UInt16] = []
            for i in (0..<4).reversed() { g.append(UInt16((hi >> (UInt64(i) * 16)) & 0xffff)) }
            for i in (0..<4).reversed() { g.append(UInt16((lo >> (UInt64(i) * 16)) & 0xffff)) }
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8 && g[j] == 0 { j += 1 }
                    if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            // IPv4-mapped addresses print in mixed notation, as RFC 5952 §5 and iptables-save do.
            if hi == 0 && lo >> 32 == 0xffff {
                let v4 = IPAddress.v4(UInt32(lo & 0xffff_ffff))
                return "::ffff:\(v4)"
            }
            func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
            if bestStart < 0 { return hex(g[0..<8]) }
            return hex(g[0..<bestStart]) + "::" + hex(g[(bestStart + bestLen)..<8])
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): x < y
        case (.v4, .v6): true
        case (.v6, .v4): false
        case (.v6(let h1, let l1), .v6(let h2, let l2)): (h1, l1) < (h2, l2)
        }
    }
}

public enum AddressFamily: String, Hashable, Comparable, Sendable, CaseIterable, Codable {
    case inet, inet6
    public var bits: Int { self == .inet ? 32 : 128 }
    public static func < (a: Self, b: Self) -> Bool { a == .inet && b == .inet6 }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
