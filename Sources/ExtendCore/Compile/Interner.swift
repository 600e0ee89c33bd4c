/// Numbers for keys that are costly to hash (a key that holds a whole rule):
/// hashed once here, then stored and looked up by number.
struct Interner<Key: Hashable> {
    private(set) var keys: [Key] = []
    private var ids: [Key: Int] = [:]

    mutating func id(_ k: Key) -> Int {
        if let i = ids[k] { return i }
        keys.append(k)
        ids[k] = keys.count - 1
        return keys.count - 1
    }
}
