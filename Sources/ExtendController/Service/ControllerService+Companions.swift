import ExtendKube

extension ControllerService.Loop {
    /// After each event, the world to the companion reconciler (if any):
    /// what the companions hold depends on policies, namespaces and the
    /// inventory, never on pods, so pod churn plans nothing.
    func offerCompanions(after event: ControllerService.Input) {
        guard let companions = service.companions, let world = engine.world else { return }
        let changed: Bool
        switch event {
        case .watch(.batch(let b)): changed = b.resource != .pods && !b.changes.isEmpty
        case .watch(.synced), .inventory: changed = true
        case .inventoryRejected, .done, .tick, .shutdown: changed = false
        }
        companions.offer(world, changed: changed, leading: leading)
    }
}
