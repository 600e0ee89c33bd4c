import Crypto

/// Names of everything we create: a fixed prefix (how we recognise what we
/// own) plus a short hash of the content, so identical content shares one name
/// and the same input always gives the same names.
public enum Naming {
    /// Our sets start with this; ipset names fit in 31 characters.
    public static let setPrefix = "npx-"
    /// Our chains start with this; chain names fit in 28 characters.
    public static let chainPrefix = "NPX-"
    public static let inputChain = "NPX-INPUT"
    public static let outputChain = "NPX-OUTPUT"
    /// The temporary twin a set is built in before it is swapped in.
    public static let tempSuffix = "-n"

    public static func setName(_ content: String) -> String { setPrefix + hex(content, 16) }
    public static func chainName(_ content: String) -> String { chainPrefix + hex(content, 16) }
    public static func tempSetName(_ name: String) -> String { name + tempSuffix }

    public static func topChain(_ d: Direction) -> String { d == .ingress ? inputChain : outputChain }
    public static func builtinChain(_ d: Direction) -> String { d == .ingress ? "INPUT" : "OUTPUT" }

    public static func ownsSet(_ name: String) -> Bool { name.hasPrefix(setPrefix) }
    public static func ownsChain(_ name: String) -> Bool { name.hasPrefix(chainPrefix) }

    public static func hex(_ content: String, _ count: Int) -> String {
        sha256Hex(content).prefix(count).description
    }

    public static func sha256Hex(_ content: String) -> String {
        let digest = SHA256.hash(data: Array(content.utf8))
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
