import ExtendCore
import ExtendInput
import Foundation
import Testing

/// What JSON means is what the same text means to the YAML path: a string
/// is a string (`"80"` is not the number 80), a number a number, null is
/// absent; and a file is read by the reader its text calls for.
@Suite struct JSONSemanticsTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let json: String
        let yaml: String
    }

    static func policy(json spec: String) -> String {
        #"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "ns"}, "spec": \#(spec)}"#
    }

    static func policy(yaml spec: String) -> String {
        "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: p, namespace: ns}, spec: \(spec)}"
    }

    static func pod(json spec: String) -> String {
        #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "ns"}, "spec": \#(spec)}"#
    }

    static func pod(yaml spec: String) -> String {
        "{apiVersion: v1, kind: Pod, metadata: {name: w, namespace: ns}, spec: \(spec)}"
    }

    static let pairs: [Pair] = [
        Pair(testDescription: "a port as a string of digits is the number (IntOrString)",
             json: policy(json: #"{"ingress": [{"ports": [{"port": "80"}]}]}"#),
             yaml: policy(yaml: #"{ingress: [{ports: [{port: "80"}]}]}"#)),
        Pair(testDescription: "a port as a number",
             json: policy(json: #"{"ingress": [{"ports": [{"port": 80}]}]}"#),
             yaml: policy(yaml: "{ingress: [{ports: [{port: 80}]}]}")),
        Pair(testDescription: "a port as a name",
             json: policy(json: #"{"ingress": [{"ports": [{"port": "http", "protocol": "UDP"}]}]}"#),
             yaml: policy(yaml: "{ingress: [{ports: [{port: http, protocol: UDP}]}]}")),
        Pair(testDescription: "a containerPort as a string is an error",
             json: pod(json: #"{"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": "80"}]}]}"#),
             yaml: pod(yaml: #"{containers: [{name: c, ports: [{name: http, containerPort: "80"}]}]}"#)),
        Pair(testDescription: "a number that is not a whole number",
             json: pod(json: #"{"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8e3}]}]}"#),
             yaml: pod(yaml: "{containers: [{name: c, ports: [{name: http, containerPort: 8e3}]}]}")),
        Pair(testDescription: "a whole number too large",
             json: pod(json: #"{"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 99999999999999999999}]}]}"#),
             yaml: pod(yaml: "{containers: [{name: c, ports: [{name: http, containerPort: 99999999999999999999}]}]}")),
        Pair(testDescription: "true is a boolean",
             json: pod(json: #"{"hostNetwork": true, "containers": []}"#),
             yaml: pod(yaml: "{hostNetwork: true, containers: []}")),
        Pair(testDescription: "\"true\" is a string",
             json: pod(json: #"{"hostNetwork": "true"}"#),
             yaml: pod(yaml: #"{hostNetwork: "true"}"#)),
        Pair(testDescription: "\"null\" is a string, null is absent",
             json: policy(json: #"{"podSelector": null, "ingress": [{"from": null, "ports": [{"port": "null"}]}]}"#),
             yaml: policy(yaml: #"{podSelector: null, ingress: [{from: ~, ports: [{port: "null"}]}]}"#)),
        Pair(testDescription: "a null rule is the zero rule",
             json: policy(json: #"{"ingress": [null], "egress": [{}]}"#),
             yaml: policy(yaml: "{ingress: [~], egress: [{}]}")),
        Pair(testDescription: "escapes are what they stand for",
             json: pod(json: #"{"containers": [{"name": "c", "ports": [{"name": "h\u0074tp", "containerPort": 80}]}]}"#),
             yaml: pod(yaml: #"{containers: [{name: c, ports: [{name: "h\u0074tp", containerPort: 80}]}]}"#)),
        Pair(testDescription: "a top-level list is not an object",
             json: #"[{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]"#,
             yaml: "[{apiVersion: v1, kind: Namespace, metadata: {name: a}}]"),
    ]

    /// Both are named alike, so origins agree; the JSON is valid JSON, and the
    /// YAML (flow style) is not, so Yams reads it.
    @Test(arguments: pairs)
    func jsonMeansWhatTheSameYAMLMeans(_ p: Pair) {
        #expect((try? JSONSerialization.jsonObject(with: Data(p.json.utf8))) != nil, "not JSON: the test would compare Yams with Yams")
        let fromJSON = ManifestLoader.parse(p.json, path: "m")
        let fromYAML = ManifestLoader.parse(p.yaml, path: "m")
        #expect(fromJSON.cluster == fromYAML.cluster)
        #expect(fromJSON.diagnostics.map(\.message) == fromYAML.diagnostics.map(\.message))
        #expect(fromJSON.notes == fromYAML.notes)
    }

    @Test func portsReadAsKubernetesReadsThem() throws {
        let cluster = try ManifestLoader.parse(Self.pairs[0].json, path: "m.json").get()
        #expect(cluster.policies.first?.ingress.first?.ports == [NetworkPolicy.PortMatch(proto: .tcp, port: .number(80))])
        let named = try ManifestLoader.parse(Self.pairs[2].json, path: "m.json").get()
        #expect(named.policies.first?.ingress.first?.ports == [NetworkPolicy.PortMatch(proto: .udp, port: .named("http"))])
        let error = ManifestLoader.parse(Self.pairs[3].json, path: "m.json").diagnostics.map(\.description)
        #expect(error == [#"m.json:1:165: error: spec.containers[0].ports[0].containerPort: expected an integer, got the string "80"; write it without quotes: 80"#])
    }

    @Test(arguments: ["", "  \n", "null", "\n null \n"])
    func aFileOfNothingHoldsNothing(_ text: String) {
        let load = ManifestLoader.parse(text, path: "m.json")
        #expect(load.diagnostics.isEmpty)
        #expect(load.cluster == ClusterState())
    }

    @Test func aByteOrderMarkIsNotContent() {
        let text = #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Bad"}}"#
        let plain = ManifestLoader.parse(text, path: "m.json").diagnostics
        let marked = ManifestLoader.parse("\u{FEFF}" + text, path: "m.json").diagnostics
        #expect(marked == plain)
        #expect(plain.map(\.description) == [#"m.json:1:55: error: metadata: namespace name "Bad" must be a DNS-1123 label"#])
    }

    @Test func bytesThatAreNotUTF8AreNamed() throws {
        let tmp = try TempFiles()
        let path = try tmp.write("m.json", Data(#"{"kind": "Na"#.utf8 + [0xC3, 0x28] + #""}"#.utf8))
        let load = ManifestLoader.load(paths: [path])
        #expect(load.diagnostics.map(\.description)
                == ["\(path):1:13: error: not UTF-8 text (byte 0xC3 cannot start or continue a character); inventories and manifests must be YAML or JSON in UTF-8"])
    }

    @Test func theTextDecidesTheReader() throws {
        let tmp = try TempFiles()
        // YAML's flow style begins as JSON can: a .yaml file is still YAML.
        let flow = try tmp.write("flow.yaml", "{apiVersion: v1, kind: Namespace, metadata: {name: a}}\n")
        // kubectl decides by the text, not the name: YAML in a .json file is read.
        let yaml = try tmp.write("yaml.json", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
        // And JSON in a .yaml file is read by the JSON reader: the same objects.
        let json = try tmp.write("json.yaml", #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c"}}"#)
        let load = ManifestLoader.load(paths: [flow, yaml, json])
        #expect(load.diagnostics.isEmpty, "\(load.diagnostics)")
        #expect(load.cluster.namespaces.map(\.name) == ["a", "b", "c"])

        // Flow YAML in a .json file is JSON gone wrong.
        let wrong = try tmp.write("flow.json", "{apiVersion: v1, kind: Namespace, metadata: {name: a}}\n")
        #expect(ManifestLoader.load(paths: [wrong]).diagnostics.map(\.description)
                == ["\(wrong):1:2: error: invalid JSON: expected a key in double quotes, found 'apiVersion'"])
    }

    @Test func characterBeyondTheBasicPlaneIsReadFromASurrogatePair() throws {
        let text = #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "annotations": {"mood": "\ud83d\ude00"}}}"#
        let load = ManifestLoader.parse(text, path: "m.json")
        #expect(load.diagnostics.isEmpty)
        #expect(try load.get().namespaces.map(\.name) == ["a"])
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let load = ManifestLoader.parse(String(repeating: "[", count: 100_000), path: "m.json")
        #expect(load.diagnostics.map(\.description) == ["m.json:1:1001: error: invalid JSON: objects and arrays nest deeper than 1000 levels"])
    }

    /// Copying a YAML document follows its aliases: a few lines must not expand without end.
    @Test func aliasesCannotExpandWithoutEnd() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let load = ManifestLoader.parse(text, path: "bomb.yaml")
        let first = load.diagnostics.first?.description ?? ""
        #expect(first.hasPrefix("bomb.yaml:"), "\(first)")
        #expect(first.contains("aliases expand this file to more than"), "\(first)")
    }
}
