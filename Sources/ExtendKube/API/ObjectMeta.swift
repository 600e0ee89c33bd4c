/// The part of `metadata` that writing one object needs: its name and place,
/// the resourceVersion that makes an update conditional, and its labels.
public struct ObjectMeta: Sendable, Codable, Equatable {
    public var name: String?
    public var namespace: String?
    /// Set on an update (the version it was based on); never on a create.
    public var resourceVersion: String?
    public var uid: String?
    /// Left out of the JSON when nil.
    public var labels: [String: String]?

    public init(name: String? = nil, namespace: String? = nil, resourceVersion: String? = nil, uid: String? = nil,
                labels: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.uid = uid
        self.labels = labels
    }
}
