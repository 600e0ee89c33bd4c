import Foundation

/// One page of a list, as the server sent it. `name` is what diagnostics
/// show in place of a file: `https://host:port/api/v1/pods?limit=500 (page 2)`.
public struct ListPage: Sendable {
    public let name: String
    public let body: Data
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A whole list: its pages (raw JSON, for the manifest decoder's fast path),
/// the resourceVersion to watch from, and counts for --verbose.
public struct ListResult: Sendable {
    public let resource: APIResource
    public let pages: [ListPage]
    public let resourceVersion: String
    public let itemCount: Int
    /// How many times a compacted continue token made the list start over.
    public let restarts: Int
}

extension APIClient {
    /// Lists `resource` cluster-wide, `limit` items a page, following
    /// `continue` tokens. Every page comes from the first page's snapshot;
    /// if that snapshot is compacted mid-way (410 Expired on a continue
    /// token), the list starts over, up to `maxRestarts` times, so each
    /// object is read exactly once from one consistent snapshot.
    public func list(_ resource: APIResource, limit: Int = 500, maxRestarts: Int = 3) async throws(KubeError) -> ListResult {
        var restarts = 0
        while true {
            do {
                return try await listOnce(resource, limit: limit, restarts: restarts)
            } catch let e where e.kind == .expired && restarts < maxRestarts {
                restarts += 1
                logger.info("list snapshot expired; listing again", metadata: ["resource": "\(resource)", "restart": "\(restarts)"])
            }
        }
    }

    private func listOnce(_ resource: APIResource, limit: Int, restarts: Int) async throws(KubeError) -> ListResult {
        let firstPath = "\(resource.collectionPath)?limit=\(limit)"
        var pages: [ListPage] = []
        var token: String?
        var resourceVersion = ""
        var items = 0
        repeat {
            var path = firstPath
            if let token { path += "&continue=\(Self.queryEscape(token))" }
            let request = APIRequest(verb: "list", resource: resource, path: path)
            let response = try await get(request)
            let name = "\(config.server)\(firstPath) (page \(pages.count + 1))"
            let envelope: ListEnvelope
            do {
                envelope = try JSONDecoder().decode(ListEnvelope.self, from: response.body)
            } catch {
                throw KubeError(.response, "the API server \(config.server) answered \(request.purpose) with something that is not a list (\(response.contentType ?? "no content type")) at \(name)")
            }
            pages.append(ListPage(name: name, body: response.body))
            if pages.count == 1 { resourceVersion = envelope.metadata?.resourceVersion ?? "" }
            items += envelope.items?.count ?? 0
            token = envelope.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return ListResult(resource: resource, pages: pages, resourceVersion: resourceVersion, itemCount: items, restarts: restarts)
    }

    /// Continue tokens are base64url; escape anything a query cannot carry as is.
    static func queryEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// Only what paging needs from a list; the items themselves are decoded
/// by the manifest decoder from the page's bytes.
private struct ListEnvelope: Decodable {
    struct Metadata: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }
    var metadata: Metadata?
    var items: [Skipped]?
}
