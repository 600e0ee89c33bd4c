import ExtendCore

/// A companion NetworkPolicy as we send it to the API server: the body we
/// POST and PUT (what we read back is a `StoredCompanion`).
struct CompanionObject: Encodable {
    struct Metadata: Codable, Equatable {
        var name: String?
        var namespace: String?
        var resourceVersion: String?
        var uid: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var ownerReferences: [OwnerReference]?
    }

    /// "If ALL objects in the list have been deleted, this object will be
    /// garbage collected": the source policy owns its companion, so deleting
    /// the policy deletes it in a real cluster. Neither the controller of it
    /// (it is no workload controller's) nor blocking the owner's deletion
    /// (that would need update on the owner's finalizers).
    struct OwnerReference: Codable, Equatable {
        var apiVersion: String
        var kind: String
        var name: String
        var uid: String
        var controller: Bool?
        var blockOwnerDeletion: Bool?

        static func source(of c: Companion) -> OwnerReference? {
            c.sourceUID.map { OwnerReference(apiVersion: Companion.apiVersion, kind: "NetworkPolicy", name: c.sourceName, uid: $0,
                                             controller: false, blockOwnerDeletion: false) }
        }

        var isPolicy: Bool { kind == "NetworkPolicy" && apiVersion.hasPrefix("networking.k8s.io/") }
    }

    var apiVersion = Companion.apiVersion
    var kind = "NetworkPolicy"
    var metadata: Metadata
    var spec: ManifestJSON

    /// The companion as it should be stored. On an update (`over` the object
    /// read), labels, annotations and owner references of others are kept;
    /// ours are set, and the write is conditional on the version read.
    init(_ c: Companion, over stored: StoredCompanion? = nil) {
        var labels = stored?.metadata.labels ?? [:]
        for (k, v) in Companion.labels { labels[k] = v }
        var annotations = stored?.metadata.annotations ?? [:]
        annotations[Companion.sourceUIDAnnotation] = nil
        for a in c.annotations { annotations[a.key] = a.value }
        let owners = (stored?.metadata.ownerReferences ?? []).filter { !$0.isPolicy } + [OwnerReference.source(of: c)].compactMap { $0 }
        metadata = Metadata(name: c.name, namespace: c.namespace, resourceVersion: stored?.metadata.resourceVersion,
                            uid: stored?.metadata.uid, labels: labels, annotations: annotations,
                            ownerReferences: owners.isEmpty ? nil : owners)
        spec = ManifestJSON(Self.spec(of: c))
    }

    /// The `spec` of the companion's manifest (what `render --companions` prints).
    static func spec(of c: Companion) -> ManifestNode {
        guard case .map(let fields) = c.manifest, let spec = fields.first(where: { $0.key == "spec" }) else { return .map([]) }
        return spec.value
    }
}
