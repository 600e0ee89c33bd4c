/// What a `coordination.k8s.io/v1` Lease says about leadership: its spec.
public struct LeaseRecord: Sendable, Equatable {
    /// Who holds it; empty when released.
    public var holderIdentity: String
    public var leaseDurationSeconds: Int
    /// RFC 3339 MicroTime, as the API writes it (`2026-12-06T09:20:00.000000Z`).
    public var acquireTime: String
    public var renewTime: String
    public var leaseTransitions: Int

    public init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: String, renewTime: String, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}
