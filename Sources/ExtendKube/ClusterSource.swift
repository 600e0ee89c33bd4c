import Foundation

/// Which API server and credentials to use, with spec/cli.md's precedence:
/// `--kubeconfig PATH` (one file, with `--context`); else, with neither flag,
/// the pod's service account when running in a pod; else `$KUBECONFIG`
/// (merged); else `~/.kube/config`. `--context` alone picks a context of
/// `$KUBECONFIG` or `~/.kube/config`: a context only exists in a kubeconfig.
public enum ClusterSource {
    public static func resolve(
        kubeconfig: String?, context: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String? = nil,
        serviceAccountDirectory: String = InClusterConfig.defaultDirectory
    ) throws(KubeError) -> ClientConfig {
        if let kubeconfig {
            return try KubeconfigLoader.load(file: kubeconfig, context: context)
        }
        if context == nil, InClusterConfig.isAvailable(environment: environment, directory: serviceAccountDirectory) {
            return try InClusterConfig.load(environment: environment, directory: serviceAccountDirectory)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try KubeconfigLoader.load(kubeconfigVariable: list, context: context)
        }
        let homeDirectory = home ?? environment["HOME"] ?? NSHomeDirectory()
        let standard = homeDirectory + "/.kube/config"
        guard FileManager.default.fileExists(atPath: standard) else {
            throw KubeError(.configuration, "no cluster to read: not in a pod (KUBERNETES_SERVICE_HOST is unset), $KUBECONFIG is unset and \(standard) does not exist; pass --kubeconfig PATH, or --manifests PATH with `kubectl get namespaces,pods,networkpolicies -A -o yaml` output")
        }
        return try KubeconfigLoader.load(file: standard, context: context)
    }
}
