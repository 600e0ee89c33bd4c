import Foundation
import Yams

/// The bundled example's manifests (YAML) as one JSON `List`, so the fake
/// API server can load them without PyYAML.
public enum ExampleCluster {
    /// The package root, two levels above this file (Tests/KubeSupport/ExampleCluster.swift).
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    public static let inventory = packageRoot + "/inventory/example/inventory.yaml"
    public static let manifests = packageRoot + "/inventory/example/cluster"

    /// Every object of every YAML file in `directory`, lists flattened.
    public static func jsonList(directory: String = manifests) throws -> Data {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var items: [Any] = []
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                guard let object = document as? [String: Any] else { continue }
                if object["kind"] as? String == "List", let list = object["items"] as? [Any] {
                    items += list
                } else {
                    items.append(object)
                }
            }
        }
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": items]
        return try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])
    }

    /// Writes `jsonList` into `directory` and returns the file's path.
    public static func writeJSON(into directory: URL) throws -> String {
        let path = directory.appendingPathComponent("example-cluster.json").path
        try jsonList().write(to: URL(fileURLWithPath: path))
        return path
    }
}
