import ExtendCore

/// The managed hosts record as last read or written, with the
/// resourceVersion a conditional write needs (nil: it does not exist yet).
public struct StoredRecord: Sendable, Equatable {
    public var record: ManagedHostsRecord
    public var resourceVersion: String?

    public init(record: ManagedHostsRecord, resourceVersion: String?) {
        self.record = record
        self.resourceVersion = resourceVersion
    }
}

/// Where the controller keeps its managed hosts record: a ConfigMap in its
/// own namespace (`ManagedHostsConfigMap`), or a test's stand-in.
public protocol ManagedHostsStore: Sendable {
    /// How messages name it: `ConfigMap netpol-extend/netpol-extend-managed-hosts`.
    var name: String { get }
    /// The record; nil when there is none yet.
    func read() async throws(ControllerError) -> StoredRecord?
    /// Creates the record (`over` nil) or replaces it conditionally on `over`;
    /// another writer first is `.api(.conflict)`. Returns the new resourceVersion.
    func write(_ record: ManagedHostsRecord, over resourceVersion: String?) async throws(ControllerError) -> String
}
