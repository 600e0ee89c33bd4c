import ExtendCore

/// One line of a watch stream, `{"type": ..., "object": {...}}`, as read:
/// the event type, and per type what it carries. Reading never fails:
/// text that is not an event leaves `diagnostics` (and `type` empty).
public struct WatchEventRead: Sendable {
    /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; "" when unreadable.
    public var type: String
    /// ADDED, MODIFIED, DELETED: the object (its value nil if it does not decode).
    public var object: APIObject?
    /// BOOKMARK: the resourceVersion the stream has reached.
    public var bookmark: String?
    /// ERROR: the `Status` the server sent.
    public var status: Status?
    public var diagnostics: [Diagnostic]

    /// What an ERROR event's `Status` says (410 Expired after compaction).
    public struct Status: Sendable, Equatable {
        public var code: Int?
        public var reason: String
        public var message: String

        public init(code: Int?, reason: String, message: String) {
            self.code = code
            self.reason = reason
            self.message = message
        }
    }
}
