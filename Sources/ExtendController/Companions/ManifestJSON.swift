import ExtendCore

/// A `ManifestNode` as JSON for the API (the same tree `render` prints).
struct ManifestJSON: Encodable {
    let node: ManifestNode
    init(_ node: ManifestNode) { self.node = node }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch node {
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .int(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .list(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(ManifestJSON(item)) }
        case .map(let fields):
            var c = encoder.container(keyedBy: Key.self)
            for f in fields { try c.encode(ManifestJSON(f.value), forKey: Key(stringValue: f.key)) }
        }
    }
}
