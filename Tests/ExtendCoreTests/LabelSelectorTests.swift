import ExtendCore
import Testing

/// metav1.LabelSelector matching, as podSelector and namespaceSelector use it.
@Suite("LabelSelector")
struct LabelSelectorTests {
    typealias Op = LabelSelector.Requirement.Operator

    static let web: Labels = ["app": "web", "tier": "front"]
    static let db: Labels = ["app": "db", "tier": ""]
    static let bare: Labels = [:]

    /// "An empty label selector matches all objects."
    @Test("the empty selector matches everything", arguments: [web, db, bare])
    func emptyMatchesAll(_ labels: Labels) {
        #expect(LabelSelector().matches(labels))
        #expect(LabelSelector.everything.isEmpty)
    }

    /// "matchLabels is a map of {key,value} pairs. A single {key,value} in the
    /// matchLabels map is equivalent to an element of matchExpressions, whose
    /// key field is \"key\", the operator is \"In\", and the values array contains
    /// only \"value\"."
    @Test("matchLabels", arguments: [
        (["app": "web"], web, true),
        (["app": "web"], db, false),
        (["app": "web"], bare, false),                       // missing key
        (["app": "web", "tier": "front"], web, true),
        (["app": "web", "tier": "back"], web, false),        // all pairs must hold
        (["tier": ""], db, true),                            // an empty value is a value
        (["tier": ""], bare, false),                         // ... that a missing key does not have
    ] as [([String: String], Labels, Bool)])
    func matchLabels(_ sel: [String: String], _ labels: Labels, _ expected: Bool) {
        #expect(LabelSelector(matchLabels: sel).matches(labels) == expected)
    }

    /// "operator represents a key's relationship to a set of values. Valid
    /// operators are In, NotIn, Exists and DoesNotExist." NotIn and
    /// DoesNotExist match objects that lack the key (labels.Requirement.Matches).
    @Test("matchExpressions operators", arguments: [
        ("app", Op.in, ["web", "api"], web, true),
        ("app", Op.in, ["api"], web, false),
        ("app", Op.in, ["web"], bare, false),               // In: a missing key never matches
        ("tier", Op.in, [""], db, true),
        ("app", Op.notIn, ["web"], web, false),
        ("app", Op.notIn, ["db"], web, true),
        ("app", Op.notIn, ["web"], bare, true),             // NotIn: a missing key matches
        ("app", Op.exists, [], web, true),
        ("tier", Op.exists, [], db, true),                  // exists with an empty value
        ("app", Op.exists, [], bare, false),
        ("app", Op.doesNotExist, [], web, false),
        ("tier", Op.doesNotExist, [], db, false),
        ("app", Op.doesNotExist, [], bare, true),           // DoesNotExist: a missing key matches
    ] as [(String, Op, [String], Labels, Bool)])
    func expressions(_ key: String, _ op: Op, _ values: [String], _ labels: Labels, _ expected: Bool) {
        let sel = LabelSelector(matchExpressions: [.init(key: key, op: op, values: values)])
        #expect(sel.matches(labels) == expected)
    }

    /// "The result of matchLabels and matchExpressions are ANDed."
    @Test("matchLabels and matchExpressions are ANDed")
    func anded() {
        let sel = LabelSelector(matchLabels: ["app": "web"],
                                matchExpressions: [.init(key: "tier", op: .in, values: ["front"]),
                                                   .init(key: "canary", op: .doesNotExist)])
        #expect(sel.matches(Self.web))
        #expect(!sel.matches(Self.web.merging(["canary": "1"]) { $1 }))
        #expect(!sel.matches(["app": "web", "tier": "back"]))
        #expect(!sel.matches(["tier": "front"]))
    }

    @Test("canonical text is stable", arguments: [
        (LabelSelector(), "{}"),
        (LabelSelector(matchLabels: ["b": "2", "a": "1"]), "a=1,b=2"),
        (LabelSelector(matchLabels: ["app": "db"], matchExpressions: [
            .init(key: "tier", op: .in, values: ["b", "a"]), .init(key: "x", op: .doesNotExist),
            .init(key: "env", op: .notIn, values: ["prod"]), .init(key: "team", op: .exists),
        ]), "app=db,!x,env notin (prod),team,tier in (a,b)"),
    ])
    func canonical(_ sel: LabelSelector, _ text: String) {
        #expect(sel.canonical == text)
    }

    @Test("selectors equal by content compare and hash equal, also after a change")
    func equalityAfterChange() {
        var a = LabelSelector(matchLabels: ["app": "web"])
        let b = LabelSelector(matchLabels: ["app": "web", "tier": "front"])
        #expect(a != b)
        a.matchLabels["tier"] = "front"
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        a.matchExpressions.append(.init(key: "env", op: .exists))
        #expect(a != b)
        #expect([b: 1][a] == nil)
    }
}
