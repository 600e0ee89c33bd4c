/// One end of a connection: a workload (pod or legacy host) or an address
/// that belongs to neither.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case workload(Workload)
    case external(IPAddress)

    public var workload: Workload? {
        if case .workload(let w) = self { return w }
        return nil
    }

    public var description: String {
        switch self {
        case .workload(let w): "\(w.kind.rawValue) \(w.ref)"
        case .external(let ip): "\(ip) (outside the cluster and the inventory)"
        }
    }
}
