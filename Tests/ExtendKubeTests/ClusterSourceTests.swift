import Foundation
import Testing
@testable import ExtendKube

/// spec/cli.md: --kubeconfig, else in a pod the service account, else $KUBECONFIG, else ~/.kube/config.
@Suite struct ClusterSourceTests {
    struct Setup {
        let dir: TempDirectory
        let explicit: String
        let variable: String
        let home: String
        let serviceAccount: String
        let podEnvironment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

        init() throws {
            dir = try TempDirectory()
            func kc(_ server: String) -> String {
                KC.config(clusters: [("c", "server: \(server)")], users: [("u", "token: t")],
                          contexts: [("a", "c", "u"), ("other", "c", "u")], current: "a")
            }
            explicit = try dir.write("explicit", kc("https://explicit:1"))
            variable = try dir.write("variable", kc("https://variable:1"))
            home = dir.path + "/home"
            try dir.write("home/.kube/config", kc("https://home:1"))
            serviceAccount = dir.path + "/sa"
            try dir.write("sa/token", "satoken")
            try dir.write("sa/ca.crt", "CA")
            try dir.write("sa/namespace", "ops\n")
        }

        func resolve(kubeconfig: String? = nil, context: String? = nil, pod: Bool, variable: Bool) throws -> ClientConfig {
            var env = pod ? podEnvironment : [:]
            if variable { env["KUBECONFIG"] = self.variable }
            return try ClusterSource.resolve(kubeconfig: kubeconfig, context: context, environment: env, home: home,
                                             serviceAccountDirectory: serviceAccount)
        }
    }

    @Test func kubeconfigFlagWinsOverEverything() throws {
        let s = try Setup()
        #expect(try s.resolve(kubeconfig: s.explicit, pod: true, variable: true).server == "https://explicit:1")
    }

    @Test func inAPodTheServiceAccountComesNext() throws {
        let s = try Setup()
        let c = try s.resolve(pod: true, variable: true)
        #expect(c.server == "https://10.96.0.1:443")
        #expect(c.origin.source == .inCluster(s.serviceAccount))
        #expect(c.namespace == "ops")
    }

    @Test func contextAloneMeansAKubeconfigEvenInAPod() throws {
        let s = try Setup()
        let c = try s.resolve(context: "other", pod: true, variable: true)
        #expect(c.server == "https://variable:1")
        #expect(c.origin.context == "other")
    }

    @Test func thenKubeconfigVariableThenHome() throws {
        let s = try Setup()
        #expect(try s.resolve(pod: false, variable: true).server == "https://variable:1")
        #expect(try s.resolve(pod: false, variable: false).server == "https://home:1")
    }

    @Test func nothingAtAllSaysWhatWasTried() throws {
        let dir = try TempDirectory()
        let e = try #require(throws: KubeError.self) {
            try ClusterSource.resolve(kubeconfig: nil, context: nil, environment: [:], home: dir.path,
                                      serviceAccountDirectory: dir.path + "/sa")
        }
        #expect(e.message.contains("not in a pod"))
        #expect(e.message.contains("\(dir.path)/.kube/config does not exist"))
        #expect(e.message.contains("--kubeconfig PATH"))
    }
}

@Suite struct InClusterConfigTests {
    @Test func readsServerCATokenFileAndNamespace() throws {
        let dir = try TempDirectory()
        try dir.write("token", "tok")
        try dir.write("ca.crt", "PEM")
        let c = try InClusterConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
                                         directory: dir.path)
        #expect(c.server == "https://[fd00::1]:6443")
        #expect(c.certificateAuthority == Data("PEM".utf8))
        #expect(c.credentials.tokenFile == dir.path + "/token")
        #expect(c.credentials.token == nil)
        #expect(c.namespace == "default")
    }

    @Test func missingTokenIsNamed() throws {
        let dir = try TempDirectory()
        let e = try #require(throws: KubeError.self) {
            try InClusterConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "443"], directory: dir.path)
        }
        #expect(e.message.contains("\(dir.path)/token does not exist"))
        #expect(!InClusterConfig.isAvailable(environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "443"], directory: dir.path))
    }

    /// The mounted token rotates: a copy older than a minute is read again, and so is one a 401 rejected.
    @Test func tokenFileIsReReadAfterAMinuteOrInvalidation() throws {
        let dir = try TempDirectory()
        let token = try dir.write("token", "first")
        let clock = TestClock()
        let store = CredentialStore(Credentials(tokenFile: token), now: { clock.now })
        #expect(try store.material().bearer == Secret("first"))
        try dir.write("token", "second")
        clock.advance(30)
        #expect(try store.material().bearer == Secret("first"))
        clock.advance(31)
        #expect(try store.material().bearer == Secret("second"))
        try dir.write("token", "third")
        store.invalidate()
        #expect(try store.material().bearer == Secret("third"))
        #expect(store.canRefresh)
    }
}

/// A settable clock for expiry and re-read tests.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
