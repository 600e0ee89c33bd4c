import ExtendKube

/// What can go wrong in the controller's own I/O beyond a host run: the
/// API answered with an error, or the managed hosts record in the cluster
/// cannot be used. `message` names the object and says what to do.
public struct ControllerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The API server answered with an error (a 409 is `.api(.conflict)`).
        case api(KubeError.Kind)
        /// The ConfigMap exists but is not labelled as ours: it is never read into a plan nor overwritten.
        case foreignRecord
        /// The ConfigMap is ours but its record does not read (a hand edit gone wrong).
        case unreadableRecord
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    init(_ error: KubeError) { self.init(.api(error.kind), error.message) }

    public var description: String { message }
}
