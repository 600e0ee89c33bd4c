import ExtendCore
import ExtendInput

/// One informer's objects by `namespace/name`, with the resourceVersion each
/// was seen at. It turns events into changes, dropping what would be a
/// duplicate: an event re-delivered (same resourceVersion), a change that
/// does not change what the compiler reads (a pod's conditions, an
/// annotation), a delete of an object it does not hold.
struct InformerCache: Sendable {
    private(set) var objects: [String: CachedObject] = [:]

    var count: Int { objects.count }

    /// ADDED or MODIFIED. An object that does not decode changes nothing (its problem is reported elsewhere).
    mutating func upsert(_ object: APIObject) -> ClusterChange? {
        guard let value = object.value else { return nil }
        let old = objects[object.key]
        if let old, !object.resourceVersion.isEmpty, old.resourceVersion == object.resourceVersion { return nil }
        objects[object.key] = CachedObject(resourceVersion: object.resourceVersion, value: value)
        if let old, old.value.sameContent(as: value) { return nil }
        return value.upsert
    }

    /// DELETED: named by the cached value, so even an object whose last
    /// state does not decode is deleted.
    mutating func delete(_ object: APIObject) -> ClusterChange? {
        guard let old = objects.removeValue(forKey: object.key) else { return nil }
        return old.value.deletion
    }

    /// A fresh list replaces everything; the difference is returned.
    mutating func replace(with listed: [APIObject]) -> [ClusterChange] {
        let result = RelistDiff.diff(cached: objects, listed: listed)
        objects = result.objects
        return result.changes
    }
}
