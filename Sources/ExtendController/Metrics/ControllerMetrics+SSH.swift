import Metrics

extension ControllerMetrics {
    /// A host run's SSH connections: `new` for each it established (its first
    /// session's when no kept one served, its confirmation's), `reused` when
    /// a connection kept from the host's last run carried its first session.
    public func sshConnections(opened: Int, reused: Bool) {
        if opened > 0 { Counter(label: "netpol_extend_ssh_connections_total", dimensions: [("kind", "new")]).increment(by: opened) }
        if reused { Counter(label: "netpol_extend_ssh_connections_total", dimensions: [("kind", "reused")]).increment() }
    }

    /// A kept connection closed, by why (failed, idle, settings, removed, shutdown, duplicate).
    public func sshConnectionClosed<C>(_ reason: KeptConnections<C>.Reason) {
        Counter(label: "netpol_extend_ssh_connections_closed_total", dimensions: [("reason", reason.rawValue)]).increment()
    }
}
