import Foundation

/// A generated input on disk: `cluster.json` and `inventory.yaml` in one
/// folder, with the values they were written from.
public struct BenchInput: Sendable {
    public let cluster: SyntheticCluster
    public let folder: String
    public var clusterPath: String { folder + "/cluster.json" }
    public var inventoryPath: String { folder + "/inventory.yaml" }
    public let clusterBytes: Int
    public let inventoryBytes: Int

    /// Generates the input for `scale` and writes it into `folder` (created
    /// if missing; the two files are replaced).
    public static func write(_ scale: BenchScale, to folder: String) throws -> BenchInput {
        let cluster = try ClusterGenerator(scale: scale).generate()
        let json = cluster.clusterJSON()
        let yaml = Array(cluster.inventoryYAML().utf8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let input = BenchInput(cluster: cluster, folder: folder, clusterBytes: json.count, inventoryBytes: yaml.count)
        try Data(json).write(to: URL(fileURLWithPath: input.clusterPath), options: .atomic)
        try Data(yaml).write(to: URL(fileURLWithPath: input.inventoryPath), options: .atomic)
        return input
    }

    /// `--inventory I --manifests M` for extend.
    public var extendArguments: [String] { ["--inventory", inventoryPath, "--manifests", clusterPath] }

    /// The same inventory with every host in audit mode (`defaults.enforcement: audit`).
    public var auditInventoryPath: String { folder + "/inventory-audit.yaml" }

    /// Writes `auditInventoryPath`; returns `--inventory` it and `--manifests` the same cluster.
    public func auditArguments() throws -> [String] {
        try Data(cluster.inventoryYAML(enforcement: "audit").utf8).write(to: URL(fileURLWithPath: auditInventoryPath), options: .atomic)
        return ["--inventory", auditInventoryPath, "--manifests", clusterPath]
    }
}
