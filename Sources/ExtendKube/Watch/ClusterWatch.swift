import ExtendCore

/// The three informers the compiler needs — namespaces, pods,
/// networkpolicies — run together, with one signal once all three have
/// their initial state.
public final class ClusterWatch: Sendable {
    public enum Event: Sendable {
        case batch(InformerBatch)
        /// Every informer has handed on its initial state; sent once, after those batches.
        case synced
    }

    public let informers: [Informer]

    public init(client: APIClient, options: InformerOptions = InformerOptions()) {
        informers = ClusterReader.resources.map { Informer(resource: $0, client: client, options: options) }
    }

    public var health: [APIResource: InformerHealth] {
        Dictionary(uniqueKeysWithValues: informers.map { ($0.resource, $0.health) })
    }

    public var isSynced: Bool { informers.allSatisfy { $0.health.synced } }

    /// Runs the informers until the calling task is cancelled. `emit` may be
    /// called by the three at once; each informer's batches come in order.
    public func run(emit: @escaping @Sendable (Event) async -> Void) async {
        let synced = Locked(Set<APIResource>())
        let count = informers.count
        await withDiscardingTaskGroup { group in
            for informer in informers {
                group.addTask {
                    await informer.run { batch in
                        await emit(.batch(batch))
                        guard batch.marker == .synced else { return }
                        let all = synced.withLock {
                            $0.insert(batch.resource)
                            return $0.count == count
                        }
                        if all { await emit(.synced) }
                    }
                }
            }
        }
    }
}
