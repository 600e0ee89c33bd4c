/// Labels as Kubernetes keeps them.
public typealias Labels = [String: String]

/// metav1.LabelSelector. "A label selector is a label query over a set of
/// resources. The result of matchLabels and matchExpressions are ANDed. An
/// empty label selector matches all objects."
public struct LabelSelector: Hashable, Sendable {
    public var matchLabels: [String: String] { didSet { contentHash = Self.contentHash(matchLabels, matchExpressions) } }
    public var matchExpressions: [Requirement] { didSet { contentHash = Self.contentHash(matchLabels, matchExpressions) } }
    /// Hashed once, when made: selectors key the compiler's memos and are
    /// hashed for every namespace a peer reaches, and hashing a dictionary
    /// takes a hasher per entry.
    private var contentHash: Int

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
        contentHash = Self.contentHash(matchLabels, matchExpressions)
    }

    private static func contentHash(_ labels: [String: String], _ expressions: [Requirement]) -> Int {
        var h = Hasher()
        h.combine(labels)
        h.combine(expressions)
        return h.finalize()
    }

    public static func == (a: LabelSelector, b: LabelSelector) -> Bool {
        a.contentHash == b.contentHash && a.matchLabels == b.matchLabels && a.matchExpressions == b.matchExpressions
    }

    public func hash(into h: inout Hasher) { h.combine(contentHash) }

    public static let everything = LabelSelector()
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    public struct Requirement: Hashable, Sendable {
        public enum Operator: String, Hashable, Sendable, CaseIterable {
            case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
        }
        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }
    }
}

extension LabelSelector {
    public func matches(_ labels: Labels) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in matchExpressions where !r.matches(labels) { return false }
        return true
    }

    /// A stable text form, used in names, digests and messages (`app=db,tier in (a,b)`).
    public var canonical: String {
        var parts = matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts += matchExpressions.map(\.canonical).sorted()
        return parts.isEmpty ? "{}" : parts.joined(separator: ",")
    }
}

extension LabelSelector.Requirement {
    /// "In and NotIn: the values set must be non-empty ... NotIn / DoesNotExist
    /// match objects that lack the key" (labels.Requirement.Matches).
    public func matches(_ labels: Labels) -> Bool {
        switch op {
        case .in:
            guard let v = labels[key] else { return false }
            return values.contains(v)
        case .notIn:
            guard let v = labels[key] else { return true }
            return !values.contains(v)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        }
    }

    public var canonical: String {
        switch op {
        case .in: "\(key) in (\(values.sorted().joined(separator: ",")))"
        case .notIn: "\(key) notin (\(values.sorted().joined(separator: ",")))"
        case .exists: key
        case .doesNotExist: "!\(key)"
        }
    }
}
