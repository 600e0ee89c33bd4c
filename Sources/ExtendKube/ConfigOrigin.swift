/// Where a `ClientConfig` came from, without secrets: for `--verbose` and
/// for error messages that tell the user which entry to fix.
public struct ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// The kubeconfig files read, in merge order.
        case kubeconfig([String])
        /// The service account directory of a pod.
        case inCluster(String)
    }

    public var source: Source
    public var context: String?
    public var cluster: String?
    /// The kubeconfig user entry's name, or `service account` in a pod.
    public var user: String

    public var files: String {
        switch source {
        case .kubeconfig(let f): f.joined(separator: ":")
        case .inCluster(let d): d
        }
    }

    public var description: String {
        switch source {
        case .kubeconfig(let f):
            "context \"\(context ?? "")\" (cluster \"\(cluster ?? "")\", user \"\(user)\") of \(f.joined(separator: ":"))"
        case .inCluster(let d):
            "the pod's service account (\(d))"
        }
    }
}
