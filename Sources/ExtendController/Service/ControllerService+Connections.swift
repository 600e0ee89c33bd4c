import ExtendKube

extension ControllerService.Loop {
    /// After each event, the world to the connection change log (if any):
    /// the world at the sync, then after every change of the cluster (pods
    /// included: a relabel or a new pod opens and closes connections) or of the inventory.
    func offerConnections(after event: ControllerService.Input) {
        guard let log = service.connections, let world = engine.world else { return }
        switch event {
        case .watch(.batch(let b)) where !b.changes.isEmpty: log.offer(world, changes: b.changes.count)
        case .watch(.synced): log.offer(world, changes: 0)
        case .inventory: log.offer(world, changes: 1)
        case .watch, .inventoryRejected, .done, .tick, .shutdown: break
        }
    }
}
