import Foundation

/// One object at a time, in a namespace: read it, create it, replace it,
/// merge-patch it. Bodies are JSON, encoded from and decoded into the
/// caller's Codable types; errors are `KubeError`s (`.conflict` for a 409,
/// `.forbidden` naming the RBAC rule).
extension APIClient {
    /// GETs one object; nil when there is none (404).
    public func object<T: Decodable>(_ resource: APIResource, namespace: String, name: String,
                                     as type: T.Type) async throws(KubeError) -> T? {
        let request = APIRequest(verb: "get", resource: resource, namespace: namespace, name: name,
                                 path: resource.path(namespace: namespace, name: name))
        let body: Data
        do {
            body = try await perform(request).body
        } catch let e where e.kind == .notFound {
            return nil
        }
        return try decode(type, body, request)
    }

    /// POSTs a new object; returns it as stored (its resourceVersion set). An
    /// object of that name already there is a `.conflict`, reason `AlreadyExists`.
    @discardableResult
    public func create<T: Decodable>(_ resource: APIResource, namespace: String, name: String?, body: some Encodable,
                                     as type: T.Type) async throws(KubeError) -> T {
        try await write(APIRequest(verb: "create", resource: resource, namespace: namespace, name: name,
                                   path: resource.path(namespace: namespace), method: "POST", contentType: "application/json"),
                        body, as: type)
    }

    /// PUTs the whole object. With `metadata.resourceVersion` in the body the
    /// write is conditional: a stale one is a `.conflict`, reason `Conflict`.
    @discardableResult
    public func replace<T: Decodable>(_ resource: APIResource, namespace: String, name: String, body: some Encodable,
                                      as type: T.Type) async throws(KubeError) -> T {
        try await write(APIRequest(verb: "update", resource: resource, namespace: namespace, name: name,
                                   path: resource.path(namespace: namespace, name: name), method: "PUT",
                                   contentType: "application/json"),
                        body, as: type)
    }

    /// A JSON merge patch (RFC 7386) of one object; a missing object is `.notFound`.
    @discardableResult
    public func mergePatch<T: Decodable>(_ resource: APIResource, namespace: String, name: String, patch: some Encodable,
                                         as type: T.Type) async throws(KubeError) -> T {
        try await write(APIRequest(verb: "patch", resource: resource, namespace: namespace, name: name,
                                   path: resource.path(namespace: namespace, name: name), method: "PATCH",
                                   contentType: "application/merge-patch+json"),
                        patch, as: type)
    }

    /// Keys sorted, so the same object is the same bytes (and tests can compare them).
    public static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Sends a request with a JSON body and decodes the object the server answers with.
    private func write<T: Decodable>(_ request: APIRequest, _ body: some Encodable, as type: T.Type) async throws(KubeError) -> T {
        var request = request
        request.body = try encode(body, request)
        return try decode(type, try await perform(request).body, request)
    }

    private func encode(_ value: some Encodable, _ request: APIRequest) throws(KubeError) -> Data {
        do {
            return try Self.json(value)
        } catch {
            throw KubeError(.configuration, "cannot encode the body to \(request.purpose) at \(config.server): \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data, _ request: APIRequest) throws(KubeError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw KubeError(.response, "the API server \(config.server) answered \(request.purpose) with something that is not a \(request.resource) object: \(error)")
        }
    }
}
