import Foundation

/// The config of a pod's service account, as client-go's InClusterConfig
/// reads it: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, the
/// token, CA and namespace from the mounted directory. The directory is a
/// parameter so tests can point it at a temporary one.
public enum InClusterConfig {
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Running in a pod: both variables set and a token mounted.
    public static func isAvailable(environment: [String: String], directory: String = defaultDirectory) -> Bool {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else { return false }
        return FileManager.default.fileExists(atPath: directory + "/token")
    }

    public static func load(environment: [String: String], directory: String = defaultDirectory) throws(KubeError) -> ClientConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubeError(.configuration, "not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        guard Int(port).map({ (1...65535).contains($0) }) ?? false else {
            throw KubeError(.configuration, "KUBERNETES_SERVICE_PORT \"\(port)\" is not a port number")
        }
        let tokenPath = directory + "/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw KubeError(.configuration, "the service account token \(tokenPath) does not exist (is automountServiceAccountToken off?)")
        }
        let caPath = directory + "/ca.crt"
        let ca: Data
        do {
            ca = try Data(contentsOf: URL(fileURLWithPath: caPath))
        } catch {
            throw KubeError(.configuration, "the service account CA \(caPath) cannot be read")
        }
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClientConfig(
            server: "https://\(hostPart):\(port)", certificateAuthority: ca, insecureSkipTLSVerify: false,
            credentials: Credentials(tokenFile: tokenPath),
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            origin: ConfigOrigin(source: .inCluster(directory), context: nil, cluster: nil, user: "service account"))
    }
}
