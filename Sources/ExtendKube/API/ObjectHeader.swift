/// Any object's answer, read only for its metadata (a created Event, say).
public struct ObjectHeader: Sendable, Decodable, Equatable {
    public var metadata: ObjectMeta
}
