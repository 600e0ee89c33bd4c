import Foundation

/// What goes with a request: a bearer token and/or a client certificate.
struct AuthMaterial: Sendable {
    var bearer: Secret?
    var clientCertificate: Secret?
    var clientKey: Secret?
}

/// Hands out the current credentials and keeps those that rotate fresh: a
/// token file is read again when the copy is older than `tokenFileMaxAge`
/// (service-account tokens rotate hourly), an exec plugin's answer is kept
/// until its expirationTimestamp, and `invalidate()` (after a 401) drops
/// both. Blocking (files, plugin processes): called from the client's queue.
final class CredentialStore: @unchecked Sendable {
    let credentials: Credentials
    let tokenFileMaxAge: Duration
    private let now: @Sendable () -> Date
    private let lock = NSLock()
    private var fileToken: (value: Secret, readAt: Date)?
    private var execCredential: ExecCredential?
    /// How many times the plugin ran (tests check the cache with it).
    private(set) var execRuns = 0

    init(_ credentials: Credentials, tokenFileMaxAge: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        self.credentials = credentials
        self.tokenFileMaxAge = tokenFileMaxAge
        self.now = now
    }

    /// True when something can be read again, so a 401 is worth one retry.
    var canRefresh: Bool { credentials.tokenFile != nil || credentials.exec != nil }

    func material() throws(KubeError) -> AuthMaterial {
        lock.lock()
        defer { lock.unlock() }
        var m = AuthMaterial(bearer: credentials.token, clientCertificate: credentials.clientCertificate,
                             clientKey: credentials.clientKey)
        if let path = credentials.tokenFile { m.bearer = try token(from: path) }
        if let plugin = credentials.exec {
            let c = try execCredential(plugin)
            if let t = c.token { m.bearer = t }
            if let cert = c.clientCertificate, let key = c.clientKey {
                m.clientCertificate = cert
                m.clientKey = key
            }
        }
        return m
    }

    /// Forget what may have gone stale; the next `material()` reads afresh.
    func invalidate() {
        lock.lock()
        defer { lock.unlock() }
        fileToken = nil
        execCredential = nil
    }

    private func token(from path: String) throws(KubeError) -> Secret {
        let t = now()
        if let cached = fileToken, t.timeIntervalSince(cached.readAt) < Double(tokenFileMaxAge.components.seconds) {
            return cached.value
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            throw KubeError(.credentials, "token file \(path) \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw KubeError(.credentials, "token file \(path) is empty") }
        let secret = Secret(text)
        fileToken = (secret, t)
        return secret
    }

    private func execCredential(_ plugin: ExecPlugin) throws(KubeError) -> ExecCredential {
        if let cached = execCredential, cached.isValid(at: now()) { return cached }
        execRuns += 1
        let c = try ExecCredential.parse(try plugin.run(), plugin: plugin)
        execCredential = c
        return c
    }
}
