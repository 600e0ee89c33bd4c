/// A Kubernetes object as a tree, in the order its fields are written, and
/// its two spellings: block YAML as `kubectl get -o yaml` prints it, and JSON.
public indirect enum ManifestNode: Hashable, Sendable {
    case string(String)
    case int(Int)
    case list([ManifestNode])
    /// Fields in order.
    case map([Field])

    public struct Field: Hashable, Sendable {
        public var key: String
        public var value: ManifestNode
        public init(_ key: String, _ value: ManifestNode) {
            self.key = key
            self.value = value
        }
    }

    /// Labels and other string maps, sorted by key.
    public static func strings(_ m: [String: String]) -> ManifestNode {
        .map(m.sorted { $0.key < $1.key }.map { Field($0.key, .string($0.value)) })
    }

    // MARK: YAML

    /// One YAML document's lines (no `---`), each ending in a newline.
    public var yaml: String {
        var out = ""
        ManifestNode.yamlBody(self, indent: "", into: &out)
        return out
    }

    /// A value on its own line after `key:` or `-`, or inline when it is a scalar or empty.
    private var inline: String? {
        switch self {
        case .string(let s): ManifestNode.scalar(s)
        case .int(let n): String(n)
        case .list(let items) where items.isEmpty: "[]"
        case .map(let fields) where fields.isEmpty: "{}"
        default: nil
        }
    }

    private static func yamlBody(_ node: ManifestNode, indent: String, into out: inout String) {
        switch node {
        case .map(let fields):
            for f in fields {
                if let v = f.value.inline {
                    out += indent + scalar(f.key) + ": " + v + "\n"
                } else {
                    out += indent + scalar(f.key) + ":\n"
                    // A list under a key sits at the key's indent, as kubectl writes it.
                    if case .list = f.value { yamlBody(f.value, indent: indent, into: &out) } else {
                        yamlBody(f.value, indent: indent + "  ", into: &out)
                    }
                }
            }
        case .list(let items):
            for item in items {
                if let v = item.inline {
                    out += indent + "- " + v + "\n"
                } else {
                    // The item's first line goes after `- `, the rest under it.
                    var body = ""
                    yamlBody(item, indent: indent + "  ", into: &body)
                    out += indent + "- " + body.dropFirst(indent.count + 2)
                }
            }
        case .string, .int:
            out += indent + (node.inline ?? "") + "\n"
        }
    }

    /// A string as a YAML scalar: plain where every YAML reader takes it for
    /// that string, double-quoted (JSON) otherwise. kubectl's YAML 1.1 reader
    /// turns `true`, `yes`, `on`, numbers and dates into other types, so a
    /// plain word starts with a letter; a CIDR has a `/` that no number has.
    static func scalar(_ s: String) -> String {
        let first = s.utf8.first ?? 0
        let letter = (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z")
        let wordBytes = s.utf8.allSatisfy { b in
            ((b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "/")
        }
        if letter && wordBytes && !yaml11Words.contains(s.lowercased()) { return s }
        if first != UInt8(ascii: ":"), CIDR(s) != nil { return s }
        return JSONText.quote(s)
    }

    /// Plain words a YAML 1.1 reader takes for booleans or null.
    private static let yaml11Words: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    // MARK: JSON

    /// Indented two spaces per level, as `kubectl get -o json` prints it.
    public var json: String {
        var out = ""
        ManifestNode.jsonBody(self, indent: "", into: &out)
        return out
    }

    private static func jsonBody(_ node: ManifestNode, indent: String, into out: inout String) {
        let inner = indent + "  "
        switch node {
        case .string(let s): out += JSONText.quote(s)
        case .int(let n): out += String(n)
        case .list(let items) where items.isEmpty: out += "[]"
        case .map(let fields) where fields.isEmpty: out += "{}"
        case .list(let items):
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                jsonBody(item, indent: inner, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .map(let fields):
            out += "{\n"
            for (i, f) in fields.enumerated() {
                out += inner + JSONText.quote(f.key) + ": "
                jsonBody(f.value, indent: inner, into: &out)
                out += i == fields.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }
}
