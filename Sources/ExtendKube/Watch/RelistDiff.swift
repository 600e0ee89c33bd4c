import ExtendCore
import ExtendInput

/// After a relist, what a consumer who saw `cached` must be told to see the
/// listed state: an upsert for each object that is new or whose content
/// changed, a deletion for each cached object the list no longer has — the
/// deletes a broken watch missed. Nothing else: an object unchanged (same
/// resourceVersion, or a new one but the same content) is not sent again.
/// Pure: the informer's cache in, the new cache and the changes out.
enum RelistDiff {
    struct Result: Sendable {
        /// Upserts in list order, then deletions sorted by key.
        var changes: [ClusterChange]
        var objects: [String: CachedObject]
    }

    /// An object listed without a value (it does not decode) keeps its cached
    /// version, if any: it still exists, and its last good state is the best
    /// we know of it. Its problem is the caller's to report.
    static func diff(cached: [String: CachedObject], listed: [APIObject]) -> Result {
        var objects: [String: CachedObject] = [:]
        objects.reserveCapacity(listed.count)
        var changes: [ClusterChange] = []
        for object in listed {
            let old = cached[object.key]
            guard let value = object.value else {
                if let old { objects[object.key] = old }
                continue
            }
            objects[object.key] = CachedObject(resourceVersion: object.resourceVersion, value: value)
            if let old, old.resourceVersion == object.resourceVersion || old.value.sameContent(as: value) { continue }
            changes.append(value.upsert)
        }
        for key in cached.keys.sorted() where objects[key] == nil {
            if let gone = cached[key] { changes.append(gone.value.deletion) }
        }
        return Result(changes: changes, objects: objects)
    }
}
