import ExtendKube

/// The Lease as last read or written, with the resourceVersion a conditional update needs.
public typealias ObservedLease = (record: LeaseRecord, resourceVersion: String)

/// Where the election's Lease lives: the API server (`LeaseClient`), or a
/// test's stand-in.
public protocol LeaseStore: Sendable {
    /// nil: there is no Lease yet.
    func read() async throws(KubeError) -> ObservedLease?
    /// A create, or an update conditional on its resourceVersion (a stale one is `.conflict`).
    func write(_ write: LeaderElection.Write) async throws(KubeError) -> ObservedLease
}
