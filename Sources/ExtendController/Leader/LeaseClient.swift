import ExtendKube

/// One Lease in the API server
/// (`/apis/coordination.k8s.io/v1/namespaces/NS/leases/NAME`): read,
/// create, update conditionally. The account needs get, create and update on
/// leases in that namespace; a 403 names the missing rule.
public struct LeaseClient: LeaseStore {
    public let client: APIClient
    public let namespace: String
    public let name: String

    public init(client: APIClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        self.name = name
    }

    public func read() async throws(KubeError) -> ObservedLease? {
        guard let lease = try await client.object(.leases, namespace: namespace, name: name, as: LeaseObject.self) else { return nil }
        return (lease.record, lease.resourceVersion)
    }

    /// An existing Lease is a `.conflict` (AlreadyExists): another replica created it first.
    public func create(_ record: LeaseRecord) async throws(KubeError) -> ObservedLease {
        let body = LeaseObject(namespace: namespace, name: name, record: record, resourceVersion: nil)
        let stored = try await client.create(.leases, namespace: namespace, name: name, body: body, as: LeaseObject.self)
        return (stored.record, stored.resourceVersion)
    }

    /// A stale `resourceVersion` is a `.conflict`: another replica wrote first.
    public func update(_ record: LeaseRecord, resourceVersion: String) async throws(KubeError) -> ObservedLease {
        let body = LeaseObject(namespace: namespace, name: name, record: record, resourceVersion: resourceVersion)
        let stored = try await client.replace(.leases, namespace: namespace, name: name, body: body, as: LeaseObject.self)
        return (stored.record, stored.resourceVersion)
    }

    public func write(_ write: LeaderElection.Write) async throws(KubeError) -> ObservedLease {
        switch write {
        case .create(let record): try await create(record)
        case .update(let record, let resourceVersion): try await update(record, resourceVersion: resourceVersion)
        }
    }
}
