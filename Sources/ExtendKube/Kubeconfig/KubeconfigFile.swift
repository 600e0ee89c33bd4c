import Foundation
import Yams

/// One kubeconfig file as written (`kind: Config`), decoded with Yams. Only
/// the fields we use are read; the rest are ignored, as client-go ignores
/// unknown fields. Names follow the file's keys.
struct KubeconfigFile: Decodable {
    var clusters: [Named<Cluster>]?
    var users: [Named<User>]?
    var contexts: [Named<Context>]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    struct Named<Value: Decodable>: Decodable {
        var name: String
        var value: Value?

        private enum Keys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            name = try c.decode(String.self, forKey: .name)
            value = try c.decodeIfPresent(Value.self, forKey: .cluster)
                ?? c.decodeIfPresent(Value.self, forKey: .user)
                ?? c.decodeIfPresent(Value.self, forKey: .context)
        }
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?
        var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var authProvider: AuthProvider?
        var exec: Exec?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    struct AuthProvider: Decodable {
        var name: String?
    }

    struct Exec: Decodable {
        var apiVersion: String?
        var command: String?
        var args: [String]?
        var env: [EnvVar]?
        var provideClusterInfo: Bool?
        var installHint: String?
    }

    struct EnvVar: Decodable {
        var name: String
        var value: String
    }

    struct Context: Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    /// Reads and decodes `path`; errors name the file.
    static func read(path: String) throws(KubeError) -> KubeconfigFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            throw KubeError(.configuration, "kubeconfig \(path) \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return KubeconfigFile() }
        do {
            return try YAMLDecoder().decode(KubeconfigFile.self, from: text)
        } catch DecodingError.dataCorrupted(let c) where c.underlyingError != nil {
            throw KubeError(.configuration, "kubeconfig \(path) is not valid YAML: \(firstLine(of: c.underlyingError))")
        } catch let error as DecodingError {
            throw KubeError(.configuration, "kubeconfig \(path) is not a valid kubeconfig: \(describe(error))")
        } catch {
            throw KubeError(.configuration, "kubeconfig \(path) is not valid YAML: \(firstLine(of: error))")
        }
    }

    /// Only the first line of a Yams error (position and problem): the
    /// lines after it quote the file, which may hold a token.
    private static func firstLine(of error: (any Error)?) -> String {
        error.map { "\($0)" }?.split(separator: "\n").first.map(String.init) ?? "unreadable"
    }

    init() {}

    /// A decoding error as `at clusters[0].cluster.server: expected a string`.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.hasPrefix(".") ? String(p.dropFirst()) : p
        }
        switch error {
        case .typeMismatch(let type, let c): return "at \(path(c.codingPath)): expected \(type)"
        case .valueNotFound(let type, let c): return "at \(path(c.codingPath)): missing \(type)"
        case .keyNotFound(let key, let c):
            let at = path(c.codingPath)
            return "\(at.isEmpty ? "" : "at \(at): ")missing \(key.stringValue)"
        case .dataCorrupted(let c): return "at \(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
