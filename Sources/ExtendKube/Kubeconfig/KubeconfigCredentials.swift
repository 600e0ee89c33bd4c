import Foundation

/// A user entry: token, token file, client certificate, exec plugin.
enum KubeconfigCredentials {
    static func read(_ u: Kubeconfig.Entry<KubeconfigFile.User>, name: String) throws(KubeError) -> Credentials {
        let entry = "user \"\(name)\" in \(u.file)"
        let v = u.value
        if let p = v.authProvider {
            throw KubeError(.configuration, "\(entry) uses auth-provider \"\(p.name ?? "")\", which is not supported (kubectl dropped it in 1.26); use an exec credential plugin instead")
        }
        if v.username != nil {
            throw KubeError(.configuration, "\(entry) uses a username and password, which the API server no longer accepts; use a token, a client certificate or an exec plugin")
        }
        var c = Credentials()
        if let t = v.token, !t.isEmpty { c.token = Secret(t) }
        if let f = v.tokenFile, !f.isEmpty { c.tokenFile = KubeconfigLoader.path(f, relativeTo: u.directory) }
        if let d = v.clientCertificateData, !d.isEmpty {
            c.clientCertificate = Secret(bytes: try KubeconfigLoader.decodeBase64(d, field: "client-certificate-data", entry: entry))
        } else if let f = v.clientCertificate, !f.isEmpty {
            c.clientCertificate = Secret(bytes: try KubeconfigLoader.readFile(KubeconfigLoader.path(f, relativeTo: u.directory), field: "client-certificate", entry: entry))
        }
        if let d = v.clientKeyData, !d.isEmpty {
            c.clientKey = Secret(bytes: try KubeconfigLoader.decodeBase64(d, field: "client-key-data", entry: entry))
        } else if let f = v.clientKey, !f.isEmpty {
            c.clientKey = Secret(bytes: try KubeconfigLoader.readFile(KubeconfigLoader.path(f, relativeTo: u.directory), field: "client-key", entry: entry))
        }
        if (c.clientCertificate == nil) != (c.clientKey == nil) {
            throw KubeError(.configuration, "\(entry) has a client \(c.clientKey == nil ? "certificate but no client-key" : "key but no client-certificate"); both are needed")
        }
        if let e = v.exec {
            c.exec = try ExecPlugin(e, entry: entry, directory: u.directory)
        }
        return c
    }
}
