import Foundation

/// A credential's bytes: a bearer token, a private key, a client certificate
/// from a plugin. It prints as `<redacted>` however it is printed
/// (interpolation, `dump`, `debugPrint`, reflection), so a config or request
/// value can be logged or put in an error without leaking it.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let bytes: Data

    public init(_ text: String) { bytes = Data(text.utf8) }
    public init(bytes: Data) { self.bytes = bytes }

    /// The value, for the one place that sends it (the request builder).
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var isEmpty: Bool { bytes.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
