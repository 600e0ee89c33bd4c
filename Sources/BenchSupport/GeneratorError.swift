/// A size the generator cannot lay out in its address ranges.
public struct GeneratorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
