import ExtendCore
@testable import ExtendInput
import Testing

/// A bad value in a JSON file is named at its `FILE:LINE:COLUMN`, in the
/// words the YAML path uses for the same mistake; JSON that is not JSON is
/// named at the place it goes wrong.
@Suite struct JSONErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let json: String
        /// The first diagnostic.
        let expected: String
    }

    /// Every diagnostic of `text` read as manifests by the given reader.
    static func diagnostics(_ text: String, _ syntax: SourceFile.Syntax) -> [String] {
        let problems = Problems()
        var decoder = ManifestDecoder(problems: problems)
        if let file = SourceFile.parse(text: text, path: "c.json", problems: problems, syntax: syntax) {
            decoder.read(file)
        }
        return decoder.finish().diagnostics.map(\.description)
    }

    /// A NetworkPolicy as kubectl prints it, with `spec` (lines indented by eight) in the middle.
    static func policy(_ spec: String) -> String {
        """
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {
        \(spec)
            }
        }
        """
    }

    /// A Pod with `metadata` and `containers` (one line each) given.
    static func pod(metadata: String = #"{"name": "web", "namespace": "ns"}"#,
                    containers: String = #"[{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]"#,
                    status: String = #"{"phase": "Running", "podIP": "10.0.0.5"}"#) -> String {
        """
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": \(metadata),
            "spec": {
                "containers": \(containers)
            },
            "status": \(status)
        }
        """
    }

    static let badValues: [Case] = [
        Case(testDescription: "CIDR with host bits",
             json: policy(#"        "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}]"#),
             expected: #"c.json:6:52: error: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1/8" has bits set after the prefix length; must be a valid CIDR such as 10.0.0.0/8"#),
        Case(testDescription: "CIDR that is no CIDR",
             json: policy(#"        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/40"]}}]}]"#),
             expected: #"c.json:6:74: error: spec.egress[0].to[0].ipBlock.except[0]: "10.1.0.0/40" must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32"#),
        Case(testDescription: "port out of range",
             json: policy(#"        "ingress": [{"ports": [{"protocol": "TCP", "port": 70000}]}]"#),
             expected: "c.json:6:60: error: spec.ingress[0].ports[0].port: port 70000 is out of range; must be 1-65535"),
        Case(testDescription: "port given as a string of digits out of range",
             json: policy(#"        "ingress": [{"ports": [{"port": "70000"}]}]"#),
             expected: "c.json:6:41: error: spec.ingress[0].ports[0].port: port 70000 is out of range; must be 1-65535"),
        Case(testDescription: "bad port name",
             json: policy(#"        "ingress": [{"ports": [{"port": "HTTP_alt"}]}]"#),
             expected: "c.json:6:41: error: spec.ingress[0].ports[0].port: "),
        Case(testDescription: "endPort below port",
             json: policy(#"        "egress": [{"ports": [{"port": 9000, "endPort": 8000}]}]"#),
             expected: "c.json:6:57: error: spec.egress[0].ports[0].endPort: endPort 8000 is below port 9000; endPort must be at least port"),
        Case(testDescription: "bad protocol",
             json: policy(#"        "ingress": [{"ports": [{"protocol": "tcp", "port": 80}]}]"#),
             expected: #"c.json:6:45: error: spec.ingress[0].ports[0].protocol: protocol "tcp" is not supported; must be TCP, UDP or SCTP (in upper case)"#),
        Case(testDescription: "bad label value",
             json: pod(metadata: #"{"name": "web", "namespace": "ns", "labels": {"app": "bad value!"}}"#),
             expected: #"c.json:4:62: error: metadata.labels: label value "bad value!" must consist of alphanumerics"#),
        Case(testDescription: "bad selector operator",
             json: policy(#"        "podSelector": {"matchExpressions": [{"key": "app", "operator": "in", "values": ["a"]}]}"#),
             expected: #"c.json:6:73: error: spec.podSelector.matchExpressions[0].operator: operator "in" is not valid; must be one of In, NotIn, Exists, DoesNotExist (did you mean In?)"#),
        Case(testDescription: "a number where a string goes",
             json: pod(metadata: #"{"name": 42, "namespace": "ns"}"#),
             expected: #"c.json:4:26: error: metadata.name: expected a string, got the number 42; quote it if it is meant as text: "42""#),
        Case(testDescription: "a string of digits where a number goes",
             json: pod(containers: #"[{"name": "c", "ports": [{"name": "http", "containerPort": "8080"}]}]"#),
             expected: #"c.json:6:82: error: spec.containers[0].ports[0].containerPort: expected an integer, got the string "8080"; write it without quotes: 8080"#),
        Case(testDescription: "a string where a boolean goes",
             json: pod(containers: #"[{"name": "c"}], "hostNetwork": "true""#),
             expected: #"c.json:6:55: error: spec.hostNetwork: expected true or false, got the string "true""#),
        Case(testDescription: "a list where a mapping goes",
             json: pod(metadata: #"{"name": "web", "namespace": "ns", "labels": ["app"]}"#),
             expected: "c.json:4:62: error: metadata.labels: expected a mapping, got a list"),
        Case(testDescription: "null where a list goes is absent",
             json: pod(status: #"{"phase": "Done", "podIPs": null}"#),
             expected: #"c.json:8:25: error: status.phase: phase "Done" is not a pod phase; must be Pending, Running, Succeeded, Failed or Unknown"#),
        Case(testDescription: "a prefix where an address goes",
             json: pod(status: #"{"phase": "Running", "podIPs": [{"ip": "10.0.0.0/8"}]}"#),
             expected: #"c.json:8:54: error: status.podIPs[0].ip: "10.0.0.0/8" is a prefix; expected a single IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#),
        Case(testDescription: "missing kind",
             json: """
                {"apiVersion": "v1", "kind": "List", "items": [
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
                    {"apiVersion": "v1", "metadata": {"name": "b"}}
                ]}
                """,
             expected: "c.json:3:5: error: items[1]: missing kind: every object needs kind and apiVersion (e.g. kind: NetworkPolicy, apiVersion: networking.k8s.io/v1)"),
        Case(testDescription: "an unknown field in a rule is a warning at the key",
             json: policy(#"        "ingress": [{"form": [{"podSelector": {}}]}]"#),
             expected: #"c.json:6:22: warning: unknown field "form" in spec.ingress[0] is ignored (known: from, ports); did you mean "from"?"#),
        Case(testDescription: "key given twice",
             json: pod(metadata: #"{"name": "web", "namespace": "ns", "name": "web"}"#),
             expected: #"c.json:4:18: error: key "name" appears more than once in one mapping; each key may be given only once"#),
        Case(testDescription: "keys given twice, the first sorted named",
             json: #"{"kind": "Pod", "b": 1, "apiVersion": "v1", "b": 2, "kind": "Pod"}"#,
             expected: #"c.json:1:17: error: key "b", "kind" appears more than once in one mapping; each key may be given only once"#),
        Case(testDescription: "columns count characters, not bytes",
             json: pod(metadata: #"{"annotations": {"note": "ünïcödé ✓"}, "name": "web", "namespace": "Bad_NS"}"#),
             expected: #"c.json:4:84: error: metadata.namespace: namespace "Bad_NS" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#),
        Case(testDescription: "columns count an escape as written",
             json: pod(metadata: #"{"annotations": {"note": "\u00e9\t\"x\""}, "name": "web", "namespace": "Bad_NS"}"#),
             expected: #"c.json:4:88: error: metadata.namespace: namespace "Bad_NS" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#),
        Case(testDescription: "CR LF line ends",
             json: pod(metadata: #"{"name": "web", "namespace": "Bad_NS"}"#).replacingOccurrences(of: "\n", with: "\r\n"),
             expected: #"c.json:4:46: error: metadata.namespace: namespace "Bad_NS" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#),
        Case(testDescription: "tabs",
             json: "{\n\t\"apiVersion\":\t\"v1\",\n\t\"kind\":\t\"Namespace\",\n\t\"metadata\":\t{\"name\":\t\"Bad\"}\n}\n",
             expected: #"c.json:4:14: error: metadata: namespace name "Bad" must be a DNS-1123 label"#),
    ]

    static let malformed: [Case] = [
        Case(testDescription: "trailing comma in an object",
             json: "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Namespace\",\n}\n",
             expected: "c.json:3:24: error: invalid JSON: a comma after the last member of an object; JSON allows none, remove it"),
        Case(testDescription: "trailing comma in an array",
             json: #"{"kind": "List", "items": [{"kind": "Namespace"},]}"#,
             expected: "c.json:1:49: error: invalid JSON: a comma after the last element of an array; JSON allows none, remove it"),
        Case(testDescription: "string cut by the end of its line",
             json: "{\n    \"kind\": \"Namespace,\n    \"apiVersion\": \"v1\"\n}\n",
             expected: #"c.json:2:13: error: invalid JSON: unterminated string: the line ends before the closing quote (a line break inside a string is written \n)"#),
        Case(testDescription: "string cut by the end of the file",
             json: #"{"kind": "Namespace", "metadata": {"name": "prod"#,
             expected: "c.json:1:44: error: invalid JSON: unterminated string: the file ends before the closing quote"),
        Case(testDescription: "bad escape",
             json: #"{"kind": "Name\space"}"#,
             expected: #"c.json:1:15: error: invalid JSON: \s is not an escape sequence; JSON knows \" \\ \/ \b \f \n \r \t and \uXXXX (a backslash itself is written \\)"#),
        Case(testDescription: "short unicode escape",
             json: #"{"kind": "\u12G4"}"#,
             expected: #"c.json:1:11: error: invalid JSON: \u must be followed by four hexadecimal digits"#),
        Case(testDescription: "half a surrogate pair",
             json: #"{"note": "\ud83d!"}"#,
             expected: #"c.json:1:11: error: invalid JSON: \uD83D is the first half of a UTF-16 surrogate pair, but the second half (\uDC00-\uDFFF) does not follow"#),
        Case(testDescription: "a tab inside a string",
             json: "{\"kind\": \"Name\tspace\"}",
             expected: #"c.json:1:15: error: invalid JSON: control character U+0009 must be escaped in a string (as \u0009)"#),
        Case(testDescription: "a key without quotes",
             json: #"{kind: "Namespace"}"#,
             expected: "c.json:1:2: error: invalid JSON: expected a key in double quotes, found 'kind'"),
        Case(testDescription: "single quotes",
             json: #"{"kind": 'Namespace'}"#,
             expected: "c.json:1:10: error: invalid JSON: expected a value (an object, array, string, number, true, false or null), found a single quote ('); JSON strings are written in double quotes"),
        Case(testDescription: "a bare word",
             json: #"{"kind": "Pod", "spec": {"hostNetwork": yes}}"#,
             expected: "c.json:1:41: error: invalid JSON: expected a value (an object, array, string, number, true, false or null), found 'yes'"),
        Case(testDescription: "a misspelt literal",
             json: #"{"kind": "Pod", "spec": {"hostNetwork": tru}}"#,
             expected: "c.json:1:41: error: invalid JSON: 'tru' is not a JSON value; a string is written in double quotes, and the only bare words are true, false and null"),
        Case(testDescription: "a leading zero",
             json: #"{"port": 080}"#,
             expected: "c.json:1:10: error: invalid JSON: a number must not begin with 0 (leading zeros are not allowed)"),
        Case(testDescription: "a number cut short",
             json: #"{"port": 1.}"#,
             expected: "c.json:1:12: error: invalid JSON: expected a digit after the decimal point, found '}'"),
        Case(testDescription: "a missing comma",
             json: "{\n    \"apiVersion\": \"v1\"\n    \"kind\": \"Namespace\"\n}\n",
             expected: #"c.json:3:5: error: invalid JSON: expected ',' or '}' after a member of the object at line 1, column 1, found '"'"#),
        Case(testDescription: "a missing colon",
             json: #"{"kind" "Namespace"}"#,
             expected: #"c.json:1:9: error: invalid JSON: expected ':' after the key, found '"'"#),
        Case(testDescription: "an array left open",
             json: "{\"kind\": \"List\", \"items\": [\n    {\"kind\": \"Namespace\"}\n",
             expected: "c.json:3:1: error: invalid JSON: the file ends where ',' or ']' should follow (the array at line 1, column 27 is not closed)"),
        Case(testDescription: "a comment",
             json: "{\n    // the namespace\n    \"kind\": \"Namespace\"\n}\n",
             expected: "c.json:2:5: error: invalid JSON: expected a key in double quotes, found '/'"),
        Case(testDescription: "two values",
             json: "{\"kind\": \"Namespace\"}\n{\"kind\": \"Namespace\"}\n",
             expected: "c.json:2:1: error: invalid JSON: found '{' after the end of the JSON value; a file holds one value (several objects go in the items of a kind: List)"),
        Case(testDescription: "nested too deep",
             json: String(repeating: "[", count: 1001),
             expected: "c.json:1:1001: error: invalid JSON: objects and arrays nest deeper than 1000 levels"),
        Case(testDescription: "a character that begins nothing",
             json: "{\"kind\": \u{2014}}",
             expected: "c.json:1:10: error: invalid JSON: expected a value (an object, array, string, number, true, false or null), found '\u{2014}' (U+2014)"),
    ]

    @Test(arguments: malformed)
    func malformedJSONIsNamedWhereItGoesWrong(_ c: Case) {
        #expect(Self.diagnostics(c.json, .json) == [c.expected])
        // A .json file is read as JSON, and not retried as YAML.
        let manifests = ManifestLoader.parse(c.json, path: "c.json").diagnostics.map(\.description)
        #expect(manifests == [c.expected])
        let inventory = InventoryLoader.parse(c.json, path: "c.json").diagnostics.map(\.description)
        #expect(inventory == [c.expected])
    }

    @Test(arguments: badValues)
    func badValueIsNamedWhereItIs(_ c: Case) {
        let fromJSON = Self.diagnostics(c.json, .json)
        #expect(fromJSON.first?.hasPrefix(c.expected) == true, "\(fromJSON)")
    }

    /// Yams reads JSON too (it is YAML): the same text through both readers
    /// gives the same diagnostics, to the column.
    @Test(arguments: badValues)
    func yamlPathSaysTheSame(_ c: Case) {
        #expect(Self.diagnostics(c.json, .json) == Self.diagnostics(c.json, .yaml))
    }

    /// Every prefix of a JSON file, and the file with a byte changed, gives
    /// objects or a diagnostic inside the text: never a crash, never a
    /// position past the end.
    @Test func cutAndDamagedJSONNeverCrashes() throws {
        let text = Self.pod(metadata: #"{"name": "web", "namespace": "ns", "labels": {"app": "w\u0065b", "note": "é"}}"#)
        let bytes = Array(text.utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        func check(_ candidate: [UInt8]) {
            let load = ManifestLoader.parse(String(decoding: candidate, as: UTF8.self), path: "c.json")
            guard let first = load.diagnostics.first?.location else { return }
            let parts = first.split(separator: ":")
            let line = parts.count == 3 ? Int(parts[1]) ?? 0 : 0
            #expect((1...lines).contains(line), "\(load.diagnostics)")
        }
        for end in 0...bytes.count { check(Array(bytes.prefix(end))) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var damaged = bytes
            damaged[Int.random(in: 0..<damaged.count, using: &generator)] = Array(#"{}[],:"\ 0a-"#.utf8).randomElement(using: &generator) ?? 0
            check(damaged)
        }
    }
}
