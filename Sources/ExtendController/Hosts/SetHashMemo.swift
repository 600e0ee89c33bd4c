import ExtendCore
import Foundation

/// The digest's hash of each `hash:net` set, kept between host runs: after
/// a sync the dry run plans every host, and hosts share most of their sets
/// (hashing each host's sets anew was most of the 28 s of CPU it took to
/// plan 1,000 hosts). A set keeps its name as its members change, so a hash
/// is reused only for the very members it was made from; a list's hash is
/// reused while its members and their hashes are the ones it was made from. Shared by concurrent runs.
final class SetHashMemo: @unchecked Sendable {
    private struct Entry {
        var members: [SetMember]
        var hash: String
    }
    /// A list's hash, for the very members' hashes it was made from.
    private struct ListEntry {
        var children: [String]
        var childHashes: [String]
        var hash: String
    }
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var lists: [String: ListEntry] = [:]
    /// Names of sets long gone are not kept forever: past this, the memo starts again.
    private let limit: Int

    init(limit: Int = 200_000) { self.limit = limit }

    func hash(_ s: IPSetSpec, _ set: (String) -> IPSetSpec?) -> String {
        if s.kind == .listSet {
            // Its members' hashes come from the memo: when they and the names are the ones it was made from, so is it.
            let childHashes = s.children.map { child in set(child).map { hash($0, set) } ?? "absent" }
            if let hit = lock.withLock({ lists[s.name] }), hit.children == s.children, hit.childHashes == childHashes { return hit.hash }
            let byChild = Dictionary(zip(s.children, childHashes), uniquingKeysWith: { a, _ in a })
            let h = RenderedHost.contentHash(of: s) { byChild[$0] ?? "absent" }
            lock.withLock {
                if lists.count >= limit { lists.removeAll(keepingCapacity: true) }
                lists[s.name] = ListEntry(children: s.children, childHashes: childHashes, hash: h)
            }
            return h
        }
        // Members that came from the same table share storage: comparing them costs nothing.
        if let hit = lock.withLock({ entries[s.name] }), hit.members == s.members { return hit.hash }
        let h = RenderedHost.contentHash(of: s) { _ in "" }
        lock.withLock {
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[s.name] = Entry(members: s.members, hash: h)
        }
        return h
    }
}
