/// The part of `metadata` that writing one object needs: its name and place,
/// and the resourceVersion that makes an update conditional.
public struct ObjectMeta: Sendable, Codable, Equatable {
    public var name: String?
    public var namespace: String?
    /// Set on an update (the version it was based on); never on a create.
    public var resourceVersion: String?
    public var uid: String?

    public init(name: String? = nil, namespace: String? = nil, resourceVersion: String? = nil, uid: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.uid = uid
    }
}
