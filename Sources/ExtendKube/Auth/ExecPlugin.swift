import Foundation

/// A user's `exec` credential plugin (`aws eks get-token`,
/// `gke-gcloud-auth-plugin`, `kubelogin`), as the kubeconfig configures it.
/// Running it is `ExecPlugin+Run.swift`; its answer is `ExecCredential`.
struct ExecPlugin: Sendable {
    static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    struct Variable: Sendable, Equatable {
        var name: String
        var value: String
    }

    var apiVersion: String
    /// As configured; a relative path with a `/` resolves against the kubeconfig's directory.
    var command: String
    var args: [String]
    var env: [Variable]
    var installHint: String?
    /// `user "NAME" in FILE`, for messages.
    var entry: String

    init(apiVersion: String, command: String, args: [String] = [], env: [Variable] = [], installHint: String? = nil, entry: String) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.entry = entry
    }

    init(_ e: KubeconfigFile.Exec, entry: String, directory: String) throws(KubeError) {
        guard let command = e.command, !command.isEmpty else {
            throw KubeError(.configuration, "exec of \(entry) has no command")
        }
        let api = e.apiVersion ?? ""
        guard Self.supportedAPIVersions.contains(api) else {
            throw KubeError(.configuration, "exec of \(entry) has apiVersion \"\(api)\"; supported: \(Self.supportedAPIVersions.joined(separator: ", "))")
        }
        // client-go resolves a command that contains a path separator
        // against the kubeconfig's directory; a bare name is looked up in PATH.
        let resolved = command.contains("/") ? KubeconfigLoader.path(command, relativeTo: directory) : command
        self.init(apiVersion: api, command: resolved, args: e.args ?? [],
                  env: (e.env ?? []).map { Variable(name: $0.name, value: $0.value) },
                  installHint: e.installHint, entry: entry)
    }

    /// What messages call it: `exec credential plugin "aws" of user "u" in FILE`.
    var label: String { "exec credential plugin \"\(command)\" of \(entry)" }

    /// `KUBERNETES_EXEC_INFO`: tells the plugin which API version to answer
    /// in and that nobody can answer a prompt.
    var execInfo: String {
        "{\"apiVersion\":\"\(apiVersion)\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}"
    }
}
