import ExtendCore
import ExtendInput
import ExtendKube

/// The managed hosts record in the cluster: one ConfigMap in the
/// controller's namespace, labelled `app.kubernetes.io/managed-by:
/// netpol-extend`, its record under `hosts.json` in the same text `extend
/// apply` writes to its file. Written with the resourceVersion it was read
/// at (a stale one is a conflict, never a lost update). A ConfigMap of that
/// name without our label is someone else's: it is neither used nor
/// overwritten. The account needs get and update on it, and create on
/// configmaps, in that namespace.
public struct ManagedHostsConfigMap: ManagedHostsStore {
    public static let key = "hosts.json"
    public static let label = (key: "app.kubernetes.io/managed-by", value: "netpol-extend")

    public let client: APIClient
    public let namespace: String
    public let configMap: String

    public init(client: APIClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        configMap = name
    }

    public var name: String { "ConfigMap \(namespace)/\(configMap)" }

    public func read() async throws(ControllerError) -> StoredRecord? {
        let object: ConfigMapObject?
        do {
            object = try await client.object(.configMaps, namespace: namespace, name: configMap, as: ConfigMapObject.self)
        } catch {
            throw ControllerError(error)
        }
        guard let object else { return nil }
        return try Self.record(in: object, name: name)
    }

    public func write(_ record: ManagedHostsRecord, over resourceVersion: String?) async throws(ControllerError) -> String {
        let body = ConfigMapObject(namespace: namespace, name: configMap, record: record, resourceVersion: resourceVersion)
        do {
            let stored = resourceVersion == nil
                ? try await client.create(.configMaps, namespace: namespace, name: configMap, body: body, as: ConfigMapObject.self)
                : try await client.replace(.configMaps, namespace: namespace, name: configMap, body: body, as: ConfigMapObject.self)
            return stored.metadata.resourceVersion ?? ""
        } catch {
            throw ControllerError(error)
        }
    }

    /// The record a ConfigMap holds, or why it cannot be used (`name` for messages).
    static func record(in object: ConfigMapObject, name: String) throws(ControllerError) -> StoredRecord {
        guard object.metadata.labels?[label.key] == label.value else {
            throw ControllerError(.foreignRecord,
                "\(name) exists but is not labelled \(label.key)=\(label.value): it is not a managed hosts record of ours and is left alone. No host is worked on until it is renamed or deleted, or another name is given with --managed-hosts-configmap")
        }
        guard let text = object.data?[key] else {
            throw ControllerError(.unreadableRecord,
                "\(name) has no \(key): the managed hosts record cannot be used; no host is worked on until it is restored (or the ConfigMap deleted, forgetting the hosts it listed)")
        }
        do {
            let record = try ManagedHostsFile.parse(text, path: "\(name) \(key)")
            return StoredRecord(record: record, resourceVersion: object.metadata.resourceVersion)
        } catch {
            let problems = error.errors.map(\.description).joined(separator: "; ")
            throw ControllerError(.unreadableRecord,
                "the managed hosts record in \(name) cannot be used: \(problems). No host is worked on until it is fixed (or the ConfigMap deleted, forgetting the hosts it listed)")
        }
    }
}

/// A core `v1` ConfigMap as we write it and the part of a GET we read.
struct ConfigMapObject: Codable, Equatable {
    var apiVersion: String? = "v1"
    var kind: String? = "ConfigMap"
    var metadata: ObjectMeta
    var data: [String: String]?

    init(namespace: String, name: String, record: ManagedHostsRecord, resourceVersion: String?) {
        metadata = ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion,
                              labels: [ManagedHostsConfigMap.label.key: ManagedHostsConfigMap.label.value])
        data = [ManagedHostsConfigMap.key: ManagedHostsFile.text(record)]
    }
}
