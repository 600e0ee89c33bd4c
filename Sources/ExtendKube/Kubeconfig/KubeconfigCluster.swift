import Foundation

/// A cluster entry: server URL and TLS verification.
enum KubeconfigCluster {
    static func server(_ c: Kubeconfig.Entry<KubeconfigFile.Cluster>, name: String) throws(KubeError) -> String {
        let entry = "cluster \"\(name)\" in \(c.file)"
        guard var server = c.value.server, !server.isEmpty else {
            throw KubeError(.configuration, "\(entry) has no server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw KubeError(.configuration, "server \(server) of \(entry) is not an https:// URL")
        }
        while server.hasSuffix("/") { server.removeLast() }
        if c.value.proxyURL != nil {
            throw KubeError(.configuration, "proxy-url of \(entry) is not supported; set HTTPS_PROXY instead")
        }
        return server
    }

    static func tls(_ c: Kubeconfig.Entry<KubeconfigFile.Cluster>, name: String) throws(KubeError) -> (ca: Data?, insecure: Bool) {
        let entry = "cluster \"\(name)\" in \(c.file)"
        let insecure = c.value.insecureSkipTLSVerify ?? false
        var ca: Data?
        // As in client-go, inline data wins over a file.
        if let data = c.value.certificateAuthorityData, !data.isEmpty {
            ca = try KubeconfigLoader.decodeBase64(data, field: "certificate-authority-data", entry: entry)
        } else if let file = c.value.certificateAuthority, !file.isEmpty {
            ca = try KubeconfigLoader.readFile(KubeconfigLoader.path(file, relativeTo: c.directory),
                                               field: "certificate-authority", entry: entry)
        }
        if insecure && ca != nil {
            throw KubeError(.configuration, "\(entry) sets both insecure-skip-tls-verify and a certificate authority; keep one")
        }
        return (ca, insecure)
    }
}
