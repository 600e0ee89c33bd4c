/// How long to wait. The overall limit applies to requests that end (not to watches).
public struct Timeouts: Sendable {
    public var connect: Duration
    /// nil: no limit (a watch).
    public var request: Duration?

    public init(connect: Duration = .seconds(10), request: Duration? = .seconds(60)) {
        self.connect = connect
        self.request = request
    }
}
