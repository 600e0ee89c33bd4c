import ExtendCore
import ExtendKube
import Foundation

/// The companions' side of the API: each write decided on the object read
/// just before it, so that nothing without both our labels is ever written
/// or deleted, and each write is conditional on that read (its
/// resourceVersion; a delete also its uid). A write that loses a race reads
/// again and decides again.
public struct CompanionStore: Sendable {
    public enum Ensured: Sendable, Equatable { case created, updated, unchanged, notOurs }
    public enum Removed: Sendable, Equatable { case deleted, gone, notOurs }

    let client: APIClient
    /// Reads and decisions per companion before giving up on a write that keeps losing races.
    let attempts: Int

    public init(client: APIClient, attempts: Int = 5) {
        self.client = client
        self.attempts = attempts
    }

    /// Makes the cluster hold `c`: creates it, or replaces ours if it differs.
    public func ensure(_ c: Companion) async throws(KubeError) -> Ensured {
        var attempt = 0
        while true {
            attempt += 1
            do {
                guard let stored = try await read(c.namespace, c.name) else {
                    try await client.create(.networkPolicies, namespace: c.namespace, name: c.name, body: CompanionObject(c),
                                            as: ObjectHeader.self)
                    return .created
                }
                guard stored.isOurs else { return .notOurs }
                if stored.holds(c) { return .unchanged }
                try await client.replace(.networkPolicies, namespace: c.namespace, name: c.name,
                                         body: CompanionObject(c, over: stored), as: ObjectHeader.self)
                return .updated
            } catch let e where e.kind == .conflict && attempt < attempts {
                continue  // created or written meanwhile: read again
            }
        }
    }

    /// Deletes the companion `namespace/name` if it is still ours.
    public func remove(namespace: String, name: String) async throws(KubeError) -> Removed {
        var attempt = 0
        while true {
            attempt += 1
            do {
                guard let stored = try await read(namespace, name) else { return .gone }
                guard stored.isOurs else { return .notOurs }
                try await client.delete(.networkPolicies, namespace: namespace, name: name, uid: stored.metadata.uid,
                                        resourceVersion: stored.metadata.resourceVersion)
                return .deleted
            } catch let e where e.kind == .notFound {
                return .gone
            } catch let e where e.kind == .conflict && attempt < attempts {
                continue
            }
        }
    }

    /// The NetworkPolicy `namespace/name` as the API holds it now; nil when there is none.
    private func read(_ namespace: String, _ name: String) async throws(KubeError) -> StoredCompanion? {
        let request = APIRequest(verb: "get", resource: .networkPolicies, namespace: namespace, name: name,
                                 path: APIResource.networkPolicies.path(namespace: namespace, name: name))
        let body: Data
        do {
            body = try await client.perform(request).body
        } catch let e where e.kind == .notFound {
            return nil
        }
        do {
            return try StoredCompanion(json: body, source: client.config.server + request.path)
        } catch {
            throw KubeError.unreadable(request, server: client.config.server, error)
        }
    }
}
