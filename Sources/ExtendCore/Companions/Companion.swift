/// A NetworkPolicy we create in the cluster beside a policy whose peers pick
/// legacy hosts: the cluster's CNI knows nothing of the inventory, so for it
/// the policy's selectors never match a host. The companion carries the same
/// `podSelector` and `policyTypes` and admits exactly those hosts' addresses
/// (`ipBlock` /32 and /128), with the same ports, so pods and hosts reach
/// each other in both directions as the policy says, and no further.
public struct Companion: Hashable, Sendable {
    /// What goes to the API: namespace, name, our labels, the spec.
    public var policy: NetworkPolicy
    /// The name of the policy it stands beside (same namespace).
    public var sourceName: String
    /// That policy's metadata.uid when it came from the API server, for the
    /// controller's ownerReference (deleting the source deletes the companion).
    public var sourceUID: String?

    public init(policy: NetworkPolicy, sourceName: String, sourceUID: String? = nil) {
        self.policy = policy
        self.sourceName = sourceName
        self.sourceUID = sourceUID
    }

    public var namespace: String { policy.namespace }
    public var name: String { policy.name }
    public var id: String { policy.id }

    /// `metadata.annotations`, sorted by key.
    public var annotations: [(key: String, value: String)] {
        [(Self.sourcePolicyAnnotation, sourceName)] + (sourceUID.map { [(Self.sourceUIDAnnotation, $0)] } ?? [])
    }

    // MARK: How ours are marked

    /// "The tool being used to manage the operation of an application" (Kubernetes' recommended labels).
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let managedByValue = "netpol-extend"
    public static let companionLabel = "netpol-extend.io/companion"
    public static let companionValue = "true"
    public static let sourcePolicyAnnotation = "netpol-extend.io/source-policy"
    public static let sourceUIDAnnotation = "netpol-extend.io/source-uid"

    /// Both marks: the only labels by which a policy is taken for ours.
    public static let labels: Labels = [managedByLabel: managedByValue, companionLabel: companionValue]

    /// Whether an object with these labels is a companion of ours: both marks.
    public static func marked(_ labels: Labels) -> Bool {
        labels[managedByLabel] == managedByValue && labels[companionLabel] == companionValue
    }
}

extension NetworkPolicy {
    /// A companion of ours, as the cluster holds it: it carries both our
    /// labels. Nothing without them is ever listed as stale or replaced.
    public var isManagedCompanion: Bool { Companion.marked(labels) }

    /// What the CNI enforces, the part a companion is compared by: the spec.
    public func sameSpec(as other: NetworkPolicy) -> Bool {
        podSelector == other.podSelector && policyTypes == other.policyTypes
            && ingress == other.ingress && egress == other.egress
    }
}
