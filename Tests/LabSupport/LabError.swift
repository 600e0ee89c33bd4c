/// A lab could not be built, used or torn down; the message says which part and why.
public struct LabError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
