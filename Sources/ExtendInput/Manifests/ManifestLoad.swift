import ExtendCore

/// What loading manifests gave: the cluster state read (partial when there
/// are errors), every problem found, and notes for `--verbose` (objects
/// skipped, namespaces assumed).
public struct ManifestLoad: Sendable {
    public let cluster: ClusterState
    public let diagnostics: [Diagnostic]
    /// `FILE:LINE: skipped Service default/web` and the like, in file order.
    public let notes: [String]

    public init(cluster: ClusterState, diagnostics: [Diagnostic], notes: [String]) {
        self.cluster = cluster
        self.diagnostics = diagnostics
        self.notes = notes
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The cluster state, or an `InputError` carrying every diagnostic.
    public func get() throws(InputError) -> ClusterState {
        guard !hasErrors else { throw InputError(diagnostics: diagnostics) }
        return cluster
    }
}
