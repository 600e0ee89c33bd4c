import ExtendKube

/// A `coordination.k8s.io/v1` Lease as it travels: what we PUT and POST, and
/// the part of a GET we read. Empty times are left out (the API rejects an
/// empty MicroTime).
struct LeaseObject: Codable, Equatable {
    struct Spec: Codable, Equatable {
        var holderIdentity: String?
        var leaseDurationSeconds: Int?
        var acquireTime: String?
        var renewTime: String?
        var leaseTransitions: Int?
    }

    var apiVersion: String? = "coordination.k8s.io/v1"
    var kind: String? = "Lease"
    var metadata: ObjectMeta
    var spec: Spec?

    /// The body that writes `record`: a create (no resourceVersion) or a
    /// conditional update (the version it was based on).
    init(namespace: String, name: String, record: LeaseRecord, resourceVersion: String?) {
        metadata = ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion)
        spec = Spec(holderIdentity: record.holderIdentity,
                    leaseDurationSeconds: record.leaseDurationSeconds,
                    acquireTime: record.acquireTime.isEmpty ? nil : record.acquireTime,
                    renewTime: record.renewTime.isEmpty ? nil : record.renewTime,
                    leaseTransitions: record.leaseTransitions)
    }

    /// What the state machine sees; a missing field reads as empty or zero.
    var record: LeaseRecord {
        LeaseRecord(holderIdentity: spec?.holderIdentity ?? "", leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
                    acquireTime: spec?.acquireTime ?? "", renewTime: spec?.renewTime ?? "",
                    leaseTransitions: spec?.leaseTransitions ?? 0)
    }

    var resourceVersion: String { metadata.resourceVersion ?? "" }
}
