import ExtendCore
import ExtendInput
import ExtendKube
import Foundation

/// A companion NetworkPolicy as it travels to and from the API server: the
/// body we POST and PUT, and what we read back of one before writing it.
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

/// A NetworkPolicy as read from the API just before a write: its metadata,
/// and its spec decoded as the informers decode it (so "the same" means what
/// the plan means by it).
struct StoredCompanion {
    private struct Head: Decodable { var metadata: CompanionObject.Metadata }

    var metadata: CompanionObject.Metadata
    /// nil when the spec does not decode (it is replaced, if the object is ours).
    var policy: NetworkPolicy?

    /// `body`: one NetworkPolicy, as GET answers. `source` names it in messages.
    init(json body: Data, source: String) throws {
        metadata = try JSONDecoder().decode(Head.self, from: body).metadata
        // The reader takes list pages: this object as the one item of one.
        let page = APIObjectReader.page("{\"items\":[" + String(decoding: body, as: UTF8.self) + "]}", name: source,
                                        kind: "NetworkPolicy", apiVersion: Companion.apiVersion)
        if case .policy(let p)? = page.objects.first?.value { policy = p }
    }

    /// Ours: both labels. Nothing else is ever written or deleted.
    var isOurs: Bool {
        let labels = metadata.labels ?? [:]
        return labels[Companion.managedByLabel] == Companion.managedByValue && labels[Companion.companionLabel] == Companion.companionValue
    }

    /// Holds `c` already: the same spec, source annotations and owner.
    func holds(_ c: Companion) -> Bool {
        guard let policy, policy.sameSpec(as: c.policy) else { return false }
        let annotations = metadata.annotations ?? [:]
        guard annotations[Companion.sourcePolicyAnnotation] == c.sourceName,
              annotations[Companion.sourceUIDAnnotation] == c.sourceUID else { return false }
        let owners = (metadata.ownerReferences ?? []).filter(\.isPolicy)
        return owners == [CompanionObject.OwnerReference.source(of: c)].compactMap { $0 }
    }
}

/// A `ManifestNode` as JSON for the API (the same tree `render` prints).
struct ManifestJSON: Encodable {
    let node: ManifestNode
    init(_ node: ManifestNode) { self.node = node }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch node {
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .int(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .list(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(ManifestJSON(item)) }
        case .map(let fields):
            var c = encoder.container(keyedBy: Key.self)
            for f in fields { try c.encode(ManifestJSON(f.value), forKey: Key(stringValue: f.key)) }
        }
    }
}
