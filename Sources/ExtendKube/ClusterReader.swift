import ExtendCore
import ExtendInput

/// Reads the cluster state the way `--manifests` does, from the API:
/// namespaces, pods and networkpolicies listed cluster-wide in pages, each
/// page's JSON handed to the one manifest decoder, so an object from the
/// API and the same object from a file become the same value.
public struct ClusterReader: Sendable {
    public static let resources: [APIResource] = [.namespaces, .pods, .networkPolicies]

    public let client: APIClient
    public let pageSize: Int

    public init(client: APIClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = pageSize
    }

    public struct Read: Sendable {
        public let load: ManifestLoad
        public let lists: [ListResult]
        public var pageCount: Int { lists.reduce(0) { $0 + $1.pages.count } }
        public var objectCount: Int { lists.reduce(0) { $0 + $1.itemCount } }
        /// `3 namespaces, 12 pods, 4 networkpolicies.networking.k8s.io in 3 pages`.
        public var summary: String {
            let parts = lists.map { "\($0.itemCount) \($0.resource)" }.joined(separator: ", ")
            return "\(parts) in \(pageCount) page\(pageCount == 1 ? "" : "s")"
        }
    }

    public func read() async throws(KubeError) -> Read {
        var lists: [ListResult] = []
        for resource in Self.resources {
            lists.append(try await client.list(resource, limit: pageSize))
        }
        let sources = lists.flatMap { $0.pages.map { (text: $0.text, name: $0.name) } }
        return Read(load: ManifestLoader.parse(sources: sources), lists: lists)
    }
}
