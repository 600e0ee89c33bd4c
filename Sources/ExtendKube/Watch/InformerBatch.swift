import ExtendCore

/// What an informer hands on at a time: changes for the compiler, in the
/// order they happened, and what they mean as a whole.
public struct InformerBatch: Sendable {
    public enum Marker: Sendable, Equatable {
        /// The first list: `changes` is the whole initial state (upserts only).
        case synced
        /// A relist after the watch's resourceVersion expired: `changes` is
        /// the difference against what was handed on before (missed upserts
        /// and deletes, each once).
        case relisted
    }

    public let resource: APIResource
    public var changes: [ClusterChange]
    /// nil: changes from the watch.
    public var marker: Marker?
    /// Objects skipped because they do not decode.
    public var problems: [ObjectProblem]

    public init(resource: APIResource, changes: [ClusterChange], marker: Marker? = nil, problems: [ObjectProblem] = []) {
        self.resource = resource
        self.changes = changes
        self.marker = marker
        self.problems = problems
    }
}

/// An object from the API that was skipped: where it came from (the list
/// page or watch URL and event number), which object, and why.
public struct ObjectProblem: Sendable, CustomStringConvertible {
    public let source: String
    /// `Pod app/web-1`; the page or event itself when no object could be named.
    public let object: String
    public let diagnostics: [Diagnostic]

    public var description: String {
        let why = diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "; ")
        return "\(object) from \(source) skipped: \(why.isEmpty ? "it cannot be read" : why)"
    }
}
