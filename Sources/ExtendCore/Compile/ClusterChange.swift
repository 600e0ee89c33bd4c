/// One change to what the compiler reads: an object of the cluster or a host
/// of the inventory added, changed or deleted. An upsert carries the whole new object.
public enum ClusterChange: Hashable, Sendable {
    /// A pod added or changed (relabelled, readdressed, finished: a pod that
    /// is no longer selectable leaves every set).
    case pod(Pod)
    case podDeleted(namespace: String, name: String)
    /// A namespace added or relabelled.
    case namespace(Namespace)
    case namespaceDeleted(String)
    case policy(NetworkPolicy)
    case policyDeleted(namespace: String, name: String)
    /// An inventory host added or changed (by name).
    case host(LegacyHost)
    case hostDeleted(String)
}

/// What a batch of changes does to the hosts: exactly the hosts whose desired
/// state changed, and per set whose members changed in place, the entries to
/// delete and add (the same for every host that holds the set).
public struct CompileDelta: Hashable, Sendable {
    public struct Host: Hashable, Sendable {
        public var name: String
        /// Its chains or the sets it holds changed (a rebuild); false: only
        /// members of sets it holds. Its new state: `IncrementalCompiler.state(of:)`.
        public var structural: Bool
        /// The host left the inventory.
        public var removed: Bool
    }

    public struct SetEntries: Hashable, Sendable {
        public var delete: [String]
        public var add: [String]
    }

    /// Sorted by name.
    public var hosts: [Host]
    /// Sets whose members changed, by name; entries as `ipset` prints them.
    public var sets: [String: SetEntries]

    public var isEmpty: Bool { hosts.isEmpty }
}
