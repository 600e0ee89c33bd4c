/// One host of a kernel lab: a network namespace on the lab's bridge.
public struct NetnsHost: Hashable, Sendable, CustomStringConvertible {
    /// What the test calls it (`x/a`, `outside`); unique in its lab.
    public let name: String
    public let index: Int
    /// `npk-<lab id>-<index>`
    public let netns: String
    /// The root-namespace end of its veth pair, `npkv<lab id><index>` (the
    /// namespace's end is `eth0`).
    public let veth: String
    /// Its addresses, IPv4 with a /15 and IPv6 with a /32 prefix, all on-link.
    public let addresses: [String]

    public var description: String { "\(name) (\(netns))" }

    /// What a lab is built from: a name and the addresses to put on the host's `eth0`.
    public struct Spec: Hashable, Sendable {
        public var name: String
        public var addresses: [String]
        public init(name: String, addresses: [String]) {
            self.name = name
            self.addresses = addresses
        }
    }
}
