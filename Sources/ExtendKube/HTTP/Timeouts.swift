/// How long to wait. The overall limit applies to requests that end (not to watches).
public struct Timeouts: Sendable {
    public var connect: Duration
    /// nil: no limit (a watch).
    public var request: Duration?
    /// The longest a transfer may go without receiving a byte; nil: no limit.
    /// A watch sets it so a connection that died silently (no FIN, no RST:
    /// a NAT table flushed, a host gone) is noticed: bookmarks keep a live
    /// one busy.
    public var idle: Duration?

    public init(connect: Duration = .seconds(10), request: Duration? = .seconds(60), idle: Duration? = nil) {
        self.connect = connect
        self.request = request
        self.idle = idle
    }
}
