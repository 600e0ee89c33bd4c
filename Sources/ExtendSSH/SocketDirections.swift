/// Which ways a non-blocking call is waiting on the socket.
struct SocketDirections: OptionSet, Sendable {
    let rawValue: UInt8
    static let inbound = SocketDirections(rawValue: 1)
    static let outbound = SocketDirections(rawValue: 2)
}
