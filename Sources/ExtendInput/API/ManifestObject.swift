import ExtendCore

/// One decoded object of a kind the compiler reads.
public enum ManifestObject: Hashable, Sendable {
    case namespace(Namespace)
    case pod(Pod)
    case policy(NetworkPolicy)

    /// Whether both say the same to the compiler: equal but for `origin`,
    /// which only names where each copy was read (a list page, a watch event).
    public func sameContent(as other: ManifestObject) -> Bool {
        switch (self, other) {
        case (.namespace(var a), .namespace(var b)):
            a.origin = nil
            b.origin = nil
            return a == b
        case (.pod(var a), .pod(var b)):
            a.origin = nil
            b.origin = nil
            return a == b
        case (.policy(var a), .policy(var b)):
            a.origin = nil
            b.origin = nil
            return a == b
        default:
            return false
        }
    }
}
