import Foundation

/// Deleting one object, on a condition: only the object as it was read.
extension APIClient {
    /// `DeleteOptions.preconditions`: the delete takes only if the object
    /// still has this uid and resourceVersion; otherwise a `.conflict`.
    struct DeleteOptions: Encodable {
        struct Preconditions: Encodable {
            var uid: String?
            var resourceVersion: String?
        }
        var apiVersion = "v1"
        var kind = "DeleteOptions"
        var preconditions: Preconditions
    }

    /// DELETEs one object if it is still the one read (its `uid` and
    /// `resourceVersion`): written in between is a `.conflict`, gone already
    /// is `.notFound`. Someone else's edit is never deleted unseen.
    public func delete(_ resource: APIResource, namespace: String, name: String, uid: String?,
                       resourceVersion: String?) async throws(KubeError) {
        var request = APIRequest(verb: "delete", resource: resource, namespace: namespace, name: name,
                                 path: resource.path(namespace: namespace, name: name), method: "DELETE",
                                 contentType: "application/json")
        let options = DeleteOptions(preconditions: .init(uid: uid, resourceVersion: resourceVersion))
        do {
            request.body = try Self.json(options)
        } catch {
            throw KubeError(.configuration, "cannot encode the body to \(request.purpose) at \(config.server): \(error)")
        }
        _ = try await perform(request)
    }
}
