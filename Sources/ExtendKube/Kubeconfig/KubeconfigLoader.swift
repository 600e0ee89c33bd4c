import Foundation

/// Turns kubeconfig files into a `ClientConfig`, as client-go does: merge,
/// pick the context, then its cluster and user. Every error names the file
/// and the entry that is missing or wrong.
public enum KubeconfigLoader {
    /// `--kubeconfig PATH`: exactly this file, which must exist; no merging.
    public static func load(file: String, context: String?) throws(KubeError) -> ClientConfig {
        var config = Kubeconfig()
        config.merge(try KubeconfigFile.read(path: file), from: file)
        return try resolve(config, context: context)
    }

    /// `$KUBECONFIG`: a colon-separated list, merged in order. Files in the
    /// list that do not exist are skipped, as client-go skips them; if none
    /// exists, that is the error.
    public static func load(kubeconfigVariable value: String, context: String?) throws(KubeError) -> ClientConfig {
        var seen = Set<String>()
        let paths = value.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
        var config = Kubeconfig()
        for path in paths where FileManager.default.fileExists(atPath: path) {
            config.merge(try KubeconfigFile.read(path: path), from: path)
        }
        guard !config.files.isEmpty else {
            throw KubeError(.configuration, "none of the kubeconfig files in $KUBECONFIG exists: \(paths.joined(separator: ", "))")
        }
        return try resolve(config, context: context)
    }

    static func resolve(_ config: Kubeconfig, context override: String?) throws(KubeError) -> ClientConfig {
        let contextNames = config.contexts.keys
        guard let contextName = override ?? config.currentContext, !contextName.isEmpty else {
            throw KubeError(.configuration, "\(config.location) sets no current-context; pass --context NAME (contexts: \(Kubeconfig.list(contextNames)))")
        }
        guard let context = config.contexts[contextName] else {
            let how = override != nil ? "" : " (its current-context)"
            throw KubeError(.configuration, "context \"\(contextName)\"\(how) not found in \(config.location); contexts: \(Kubeconfig.list(contextNames))")
        }
        guard let clusterName = context.value.cluster, !clusterName.isEmpty else {
            throw KubeError(.configuration, "context \"\(contextName)\" in \(context.file) names no cluster")
        }
        guard let cluster = config.clusters[clusterName] else {
            throw KubeError(.configuration, "cluster \"\(clusterName)\" (of context \"\(contextName)\") not found in \(config.location); clusters: \(Kubeconfig.list(config.clusters.keys))")
        }
        let userName = context.value.user ?? ""
        var credentials = Credentials()
        if !userName.isEmpty {
            guard let user = config.users[userName] else {
                throw KubeError(.configuration, "user \"\(userName)\" (of context \"\(contextName)\") not found in \(config.location); users: \(Kubeconfig.list(config.users.keys))")
            }
            credentials = try KubeconfigCredentials.read(user, name: userName)
        }
        let server = try KubeconfigCluster.server(cluster, name: clusterName)
        let tls = try KubeconfigCluster.tls(cluster, name: clusterName)
        let origin = ConfigOrigin(source: .kubeconfig(config.files), context: contextName, cluster: clusterName,
                                  user: userName.isEmpty ? "(none)" : userName)
        let namespace = context.value.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let serverName = cluster.value.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }
        return ClientConfig(server: server, certificateAuthority: tls.ca, insecureSkipTLSVerify: tls.insecure,
                            tlsServerName: serverName, credentials: credentials, namespace: namespace, origin: origin)
    }

    /// A path from a kubeconfig entry: relative ones resolve against the
    /// directory of the file that holds the entry.
    static func path(_ p: String, relativeTo directory: String) -> String {
        p.hasPrefix("/") ? p : (directory as NSString).appendingPathComponent(p)
    }

    /// The bytes of a file a kubeconfig entry names; errors say which entry.
    static func readFile(_ path: String, field: String, entry: String) throws(KubeError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            throw KubeError(.configuration, "\(field) \(path) of \(entry) \(reason)")
        }
    }

    /// Base64 of a `*-data` field; errors name the field and entry, never the value.
    static func decodeBase64(_ text: String, field: String, entry: String) throws(KubeError) -> Data {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw KubeError(.configuration, "\(field) of \(entry) is not valid base64")
        }
        return data
    }
}
