import Foundation

/// What an exec plugin printed: an `ExecCredential` whose status holds a
/// token or a client certificate and key, and maybe when they expire.
struct ExecCredential: Sendable {
    var token: Secret?
    var clientCertificate: Secret?
    var clientKey: Secret?
    /// nil: valid until the server rejects it.
    var expiration: Date?

    func isValid(at now: Date) -> Bool { expiration.map { now < $0 } ?? true }

    private struct Document: Decodable {
        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    private struct Status: Decodable {
        var token: String?
        var clientCertificateData: String?
        var clientKeyData: String?
        var expirationTimestamp: String?
    }

    /// Errors say what is wrong with the answer, never what it holds.
    static func parse(_ data: Data, plugin: ExecPlugin) throws(KubeError) -> ExecCredential {
        let doc: Document
        do {
            doc = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw KubeError(.credentials, "\(plugin.label) printed no valid ExecCredential JSON on stdout")
        }
        guard doc.kind == "ExecCredential" else {
            throw KubeError(.credentials, "\(plugin.label) printed kind \"\(doc.kind ?? "")\"; expected ExecCredential")
        }
        guard doc.apiVersion == plugin.apiVersion else {
            throw KubeError(.credentials, "\(plugin.label) answered in apiVersion \"\(doc.apiVersion ?? "")\"; the kubeconfig asks for \(plugin.apiVersion)")
        }
        guard let s = doc.status else {
            throw KubeError(.credentials, "\(plugin.label) printed an ExecCredential without status")
        }
        var c = ExecCredential()
        if let t = s.token, !t.isEmpty { c.token = Secret(t) }
        // PEM text, not base64, despite the "Data" in the names.
        if let d = s.clientCertificateData, !d.isEmpty { c.clientCertificate = Secret(d) }
        if let d = s.clientKeyData, !d.isEmpty { c.clientKey = Secret(d) }
        if (c.clientCertificate == nil) != (c.clientKey == nil) {
            throw KubeError(.credentials, "\(plugin.label) gave clientCertificateData and clientKeyData, but not both")
        }
        guard c.token != nil || c.clientCertificate != nil else {
            throw KubeError(.credentials, "\(plugin.label) gave neither a token nor a client certificate")
        }
        if let ts = s.expirationTimestamp, !ts.isEmpty {
            guard let date = RFC3339.parse(ts) else {
                throw KubeError(.credentials, "\(plugin.label) gave an expirationTimestamp that is not RFC 3339: \(ts)")
            }
            c.expiration = date
        }
        return c
    }
}
