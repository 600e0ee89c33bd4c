import Foundation
import Testing
@testable import ExtendKube

/// kubeconfig files read and merged as client-go does, and the errors a user can act on.
@Suite struct KubeconfigTests {
    let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    var caData: String { Data(caPEM.utf8).base64EncodedString() }

    @Test func oneFileGivesServerCATokenNamespaceAndOrigin() throws {
        let dir = try TempDirectory()
        let path = try dir.write("config", KC.config(
            clusters: [("c1", "server: https://10.0.0.1:6443/\ncertificate-authority-data: \(caData)")],
            users: [("u1", "token: abc123")],
            contexts: [("ctx", "c1", "u1")], current: "ctx", namespace: "team"))
        let config = try KubeconfigLoader.load(file: path, context: nil)
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.certificateAuthority == Data(caPEM.utf8))
        #expect(config.credentials.token == Secret("abc123"))
        #expect(config.namespace == "team")
        #expect(config.origin == ConfigOrigin(source: .kubeconfig([path]), context: "ctx", cluster: "c1", user: "u1"))
        #expect(!config.skipsTLSVerification)
    }

    /// client-go: the first file that sets a map entry or current-context wins; missing files are skipped.
    @Test func kubeconfigVariableMergesFirstWins() throws {
        let dir = try TempDirectory()
        let a = try dir.write("a", KC.config(
            clusters: [("shared", "server: https://first:1")], users: [("ua", "token: ta")],
            contexts: [("a", "shared", "ua")], current: "a"))
        let b = try dir.write("b", KC.config(
            clusters: [("shared", "server: https://second:2"), ("own", "server: https://own:3")],
            users: [("ub", "token: tb"), ("ua", "token: shadowed")],
            contexts: [("b", "own", "ub"), ("b2", "shared", "ua")], current: "b"))
        let list = "\(a):\(dir.path)/missing:\(b)"
        let current = try KubeconfigLoader.load(kubeconfigVariable: list, context: nil)
        #expect(current.origin.context == "a")
        #expect(current.server == "https://first:1")
        #expect(current.credentials.token == Secret("ta"))
        #expect(current.origin.files == "\(a):\(b)")
        // A context from the second file, its cluster and user from the first (they shadow the second's).
        let b2 = try KubeconfigLoader.load(kubeconfigVariable: list, context: "b2")
        #expect(b2.server == "https://first:1")
        #expect(b2.credentials.token == Secret("ta"))
        let own = try KubeconfigLoader.load(kubeconfigVariable: list, context: "b")
        #expect(own.server == "https://own:3")
    }

    @Test func unknownContextNamesFileAndContexts() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")], users: [("u", "token: t")],
            contexts: [("b", "c", "u"), ("a", "c", "u")], current: "a"))
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: "prod") }
        #expect(e.message == "context \"prod\" not found in \(path); contexts: a, b")
        #expect(e.kind == .configuration)
    }

    @Test func noCurrentContextSaysPassContext() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")], users: [("u", "token: t")], contexts: [("a", "c", "u")]))
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: nil) }
        #expect(e.message.contains("\(path) sets no current-context; pass --context NAME (contexts: a)"))
    }

    @Test func missingClusterAndUserAreNamed() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")], users: [("u", "token: t")],
            contexts: [("nocluster", "gone", "u"), ("nouser", "c", "ghost")]))
        let e1 = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: "nocluster") }
        #expect(e1.message == "cluster \"gone\" (of context \"nocluster\") not found in \(path); clusters: c")
        let e2 = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: "nouser") }
        #expect(e2.message == "user \"ghost\" (of context \"nouser\") not found in \(path); users: u")
    }

    @Test func missingKubeconfigFileIsNamed() throws {
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: "/nonexistent/kc", context: nil) }
        #expect(e.message == "kubeconfig /nonexistent/kc does not exist")
    }

    /// Relative paths resolve against the kubeconfig's folder, not the working directory.
    @Test func relativePathsResolveAgainstTheKubeconfigsFolder() throws {
        let dir = try TempDirectory()
        try dir.write("conf/certs/ca.crt", caPEM)
        try dir.write("conf/certs/client.crt", "CERT")
        try dir.write("conf/certs/client.key", "KEY")
        try dir.write("conf/token", "filetoken\n")
        let path = try dir.write("conf/kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1\ncertificate-authority: certs/ca.crt")],
            users: [("u", "client-certificate: certs/client.crt\nclient-key: certs/client.key\ntokenFile: token")],
            contexts: [("a", "c", "u")], current: "a"))
        let config = try KubeconfigLoader.load(file: path, context: nil)
        #expect(config.certificateAuthority == Data(caPEM.utf8))
        #expect(config.credentials.clientCertificate == Secret("CERT"))
        #expect(config.credentials.clientKey == Secret("KEY"))
        #expect(config.credentials.tokenFile == dir.path + "/conf/token")
    }

    @Test func missingCAFileNamesFileAndCluster() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1\ncertificate-authority: nope/ca.crt")], users: [("u", "token: t")],
            contexts: [("a", "c", "u")], current: "a"))
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: nil) }
        #expect(e.message == "certificate-authority \(dir.path)/nope/ca.crt of cluster \"c\" in \(path) does not exist")
    }

    @Test func insecureSkipVerifyIsTheOnlyWayOffAndExcludesACA() throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("plain", "server: https://x:1\ninsecure-skip-tls-verify: true"),
                       ("both", "server: https://x:1\ninsecure-skip-tls-verify: true\ncertificate-authority-data: \(caData)"),
                       ("normal", "server: https://x:1")],
            users: [("u", "token: t")],
            contexts: [("plain", "plain", "u"), ("both", "both", "u"), ("normal", "normal", "u")]))
        #expect(try KubeconfigLoader.load(file: path, context: "plain").skipsTLSVerification)
        #expect(try !KubeconfigLoader.load(file: path, context: "normal").skipsTLSVerification)
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: "both") }
        #expect(e.message.contains("sets both insecure-skip-tls-verify and a certificate authority"))
    }

    @Test(arguments: [
        ("auth-provider:\n  name: gcp", "auth-provider \"gcp\", which is not supported"),
        ("username: admin\npassword: pw", "uses a username and password"),
        ("client-certificate-data: Q0VSVA==", "has a client certificate but no client-key"),
        ("exec:\n  apiVersion: client.authentication.k8s.io/v1alpha1\n  command: x", "supported: client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1"),
    ])
    func unusableUsersSayWhy(user: String, expected: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("kubeconfig", KC.config(
            clusters: [("c", "server: https://x:1")], users: [("u", user)], contexts: [("a", "c", "u")], current: "a"))
        let e = try #require(throws: KubeError.self) { try KubeconfigLoader.load(file: path, context: nil) }
        #expect(e.message.contains("user \"u\" in \(path)"), "\(e)")
        #expect(e.message.contains(expected), "\(e)")
    }
}
