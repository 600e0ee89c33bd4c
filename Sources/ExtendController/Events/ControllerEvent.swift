/// Something an operator should see on the cluster (`kubectl get events`):
/// a host that failed, an inventory edit that was rejected, leadership won or lost.
public struct ControllerEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }
    public var kind: Kind
    /// CamelCase, as Kubernetes reasons are: `HostFailed`, `InventoryRejected`, `LeaderElected`.
    public var reason: String
    public var message: String
    /// What it is about, as `KIND NAMESPACE/NAME` text for logs (a host: `host legacy/billing-db-01`).
    public var regarding: String

    public init(_ kind: Kind, reason: String, message: String, regarding: String) {
        self.kind = kind
        self.reason = reason
        self.message = message
        self.regarding = regarding
    }
}

/// Where controller events go: Kubernetes Events, logs, or a test's list.
public protocol EventSink: Sendable {
    func record(_ event: ControllerEvent) async
}
