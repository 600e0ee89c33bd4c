import ExtendInput

/// What an informer knows of one object: the value last handed on and the
/// resourceVersion it was last seen at.
struct CachedObject: Sendable, Equatable {
    var resourceVersion: String
    var value: ManifestObject
}
