import ExtendCore
import Testing

/// Kubernetes label syntax (apimachinery IsQualifiedName / IsValidLabelValue).
@Suite("LabelValidation")
struct LabelValidationTests {
    static let a63 = String(repeating: "a", count: 63)
    static let a64 = String(repeating: "a", count: 64)

    /// "Valid label keys have two segments: an optional prefix and name,
    /// separated by a slash (/). The name segment is required and must be 63
    /// characters or less, beginning and ending with an alphanumeric character
    /// ([a-z0-9A-Z]) with dashes (-), underscores (_), dots (.), and
    /// alphanumerics between. The prefix is optional. If specified, the prefix
    /// must be a DNS subdomain: a series of DNS labels separated by dots (.),
    /// not longer than 253 characters in total."
    @Test("valid keys", arguments: [
        "app", "a", "A", "9", "App_Name-1.x", a63, "app.kubernetes.io/name", "kubernetes.io/metadata.name",
        "example.com/My_Key-1.x", "a/b", "x-1.example.com/" + a63,
        // The prefix is one DNS subdomain: up to 253 characters in total.
        String(repeating: "abcdefg.", count: 31) + "abcde/key",
        // DNS subdomain labels are not held to 63 characters by IsDNS1123Subdomain.
        a64 + ".example.com/key",
    ])
    func validKeys(_ key: String) {
        #expect(LabelValidation.keyProblems(key).isEmpty, "\(key): \(LabelValidation.keyProblems(key))")
    }

    @Test("invalid keys", arguments: [
        "", "/name", "prefix/", "a/b/c", "-app", "app-", "_app", "app_", ".app", "app.", a64,
        "Example.com/app", "ex_ample.com/app", "exa mple.com/app", "-example.com/app", "example.com./app",
        "app name", "app@x", "é", "example.com/" + a64,
        String(repeating: "abcdefg.", count: 31) + "abcdef/key",   // a 254-character prefix
    ])
    func invalidKeys(_ key: String) {
        #expect(!LabelValidation.keyProblems(key).isEmpty, "\(key) must be refused")
    }

    /// "Valid label value: must be 63 characters or less (can be empty), unless
    /// empty, must begin and end with an alphanumeric character ([a-z0-9A-Z]),
    /// could contain dashes (-), underscores (_), dots (.), and alphanumerics between."
    @Test("label values", arguments: [
        ("", true), ("web", true), ("A", true), ("v1.2_3-x", true), (a63, true),
        (a64, false), ("-web", false), ("web-", false), ("_web", false), ("web.", false), ("web app", false),
        ("web/x", false), ("é", false), ("web:1", false),
    ])
    func values(_ value: String, _ valid: Bool) {
        #expect(LabelValidation.valueProblems(value).isEmpty == valid, "\(value)")
    }

    /// "In and NotIn: the values set must be non-empty. Exists and DoesNotExist:
    /// the values set must be empty."
    @Test("selector requirements", arguments: [
        (LabelSelector.Requirement(key: "app", op: .in, values: ["web"]), true),
        (LabelSelector.Requirement(key: "app", op: .in, values: []), false),
        (LabelSelector.Requirement(key: "app", op: .notIn, values: []), false),
        (LabelSelector.Requirement(key: "app", op: .notIn, values: ["a", "b"]), true),
        (LabelSelector.Requirement(key: "app", op: .exists, values: []), true),
        (LabelSelector.Requirement(key: "app", op: .exists, values: ["x"]), false),
        (LabelSelector.Requirement(key: "app", op: .doesNotExist, values: ["x"]), false),
        (LabelSelector.Requirement(key: "app", op: .doesNotExist, values: []), true),
        (LabelSelector.Requirement(key: "-app", op: .exists, values: []), false),
        (LabelSelector.Requirement(key: "app", op: .in, values: ["-bad"]), false),
    ])
    func requirements(_ r: LabelSelector.Requirement, _ valid: Bool) {
        let problems = LabelValidation.selectorProblems(LabelSelector(matchExpressions: [r]))
        #expect(problems.isEmpty == valid, "\(r.canonical): \(problems)")
    }

    @Test("matchLabels keys and values are checked")
    func matchLabels() {
        #expect(LabelValidation.selectorProblems(LabelSelector(matchLabels: ["app": "web"])).isEmpty)
        #expect(LabelValidation.selectorProblems(LabelSelector(matchLabels: ["app": "-web"])).count == 1)
        #expect(LabelValidation.selectorProblems(LabelSelector(matchLabels: ["-app": "web"])).count == 1)
        #expect(LabelValidation.labelsProblems(["a/b/c": "x", "ok": "-x"]).count == 2)
    }

    /// Namespace and host names are RFC 1123 labels: lower case alphanumerics
    /// and '-', starting and ending alphanumeric, at most 63 characters.
    @Test("DNS-1123 labels", arguments: [
        ("x", true), ("x-a", true), ("billing-db-01", true), ("0abc", true), (a63, true),
        ("", false), (a64, false), ("X", false), ("-x", false), ("x-", false), ("x.a", false), ("x_a", false),
    ])
    func dns1123Label(_ s: String, _ valid: Bool) {
        #expect(LabelValidation.isDNS1123Label(s) == valid)
    }
}
