import ExtendCore

/// The managed hosts record as the controller keeps it, without the I/O:
/// what was last read or written, and what the next write must say. Pure;
/// the service reads, writes and reports.
///
/// - Every host is in the record before its first run (converge or removal):
///   whatever of ours may be on a machine, the record can find it again.
/// - A host leaves the record only once its removal has succeeded (or it
///   looks like a listed host: `Retirement`'s collisions), so a controller
///   stopped at any moment leaves no host of ours unrecorded.
/// - Read again at every term of leadership: the previous leader may have
///   written it since.
public struct RecordBook: Sendable, Equatable {
    /// As last read or written; nil until read.
    public private(set) var stored: StoredRecord?
    /// Names to leave out of the next write (cleaned, or colliding with a listed host).
    private var dropping: Set<String> = []
    /// The stored record's hosts by name: asked at every run start.
    private var index: [String: ManagedHost] = [:]

    public init() {}

    public var isLoaded: Bool { stored != nil }
    /// Something to write even without a run (a host dropped).
    public var hasDrops: Bool { !dropping.isEmpty }

    /// The record just read (nil: there is none yet). Returns which of its
    /// hosts have left the inventory (to be removed) and which look like a
    /// listed host (never cleaned; dropped from the record at the next write).
    public mutating func loaded(_ read: StoredRecord?, inventory: [LegacyHost]) -> Retirement {
        let s = read ?? StoredRecord(record: ManagedHostsRecord(), resourceVersion: nil)
        stored = s
        index = Self.index(s.record)
        let plan = Retirement.plan(record: s.record, inventory: inventory)
        dropping.formUnion(plan.collisions.map(\.host.name))
        return plan
    }

    /// Forget what was read: at the next term it is read again.
    public mutating func unload() {
        stored = nil
        dropping = []
        index = [:]
    }

    /// A host whose removal succeeded: out of the record at the next write.
    public mutating func drop(_ name: String) { dropping.insert(name) }

    /// The record to write before runs on `hosts` start, nil when the stored
    /// one already says it (or nothing is loaded): every one of them recorded
    /// with its current settings, dropped hosts left out.
    ///
    /// - Parameter inventory: hosts recorded too, when a write is due anyway:
    ///   after a sync every host of the inventory starts a run, and recording
    ///   them one write at a time rewrote a growing record a thousand times.
    public func next(recording hosts: [LegacyHost], inventory: [LegacyHost] = []) -> ManagedHostsRecord? {
        guard let s = stored else { return nil }
        if dropping.isEmpty && hosts.allSatisfy({ index[$0.name] == ManagedHost($0) }) { return nil }
        var byName: [String: ManagedHost] = [:]
        for h in s.record.hosts where !dropping.contains(h.name) { byName[h.name] = h }
        for h in inventory + hosts { byName[h.name] = ManagedHost(h) }
        let next = ManagedHostsRecord(hosts: Array(byName.values))
        return next == s.record ? nil : next
    }

    /// `record` is stored now, at `resourceVersion`.
    public mutating func wrote(_ record: ManagedHostsRecord, resourceVersion: String?) {
        stored = StoredRecord(record: record, resourceVersion: resourceVersion)
        dropping = []
        index = Self.index(record)
    }

    private static func index(_ r: ManagedHostsRecord) -> [String: ManagedHost] {
        Dictionary(r.hosts.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
    }
}
