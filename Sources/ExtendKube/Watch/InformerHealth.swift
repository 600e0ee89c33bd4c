/// How an informer is doing, for `/readyz` and metrics, and for a message
/// while it cannot do its job (`lastError` names what is wrong).
public struct InformerHealth: Sendable, Equatable {
    /// The first list is done.
    public var synced = false
    /// Where the next watch starts (the last event's or bookmark's).
    public var resourceVersion = ""
    public var objects = 0
    /// Lists done: the first, plus one per relist.
    public var lists = 0
    /// Relists after 410 Expired.
    public var relists = 0
    /// Watches opened again: after a clean end (timeoutSeconds), a cut, or an error.
    public var watchRestarts = 0
    public var bookmarks = 0
    /// Failures since the last success (list done, or a watch that delivered an event).
    public var consecutiveFailures = 0
    /// The last error, as a sentence naming the server and request; stays after recovery (see `consecutiveFailures`).
    public var lastError: String?
    /// The HTTP status of the last error, when the server answered one.
    public var lastErrorStatus: Int?
    public var skippedObjects = 0

    public init() {}
}
