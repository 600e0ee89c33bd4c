import Foundation

/// One or more kubeconfig files merged as client-go merges them: for every
/// cluster, user and context name, the first file that defines it wins, and
/// so does the first file that sets `current-context`. Each entry remembers
/// its file, against whose directory its relative paths resolve.
struct Kubeconfig {
    struct Entry<Value> {
        var value: Value
        var file: String
        var directory: String { (file as NSString).deletingLastPathComponent }
    }

    var files: [String] = []
    var clusters: [String: Entry<KubeconfigFile.Cluster>] = [:]
    var users: [String: Entry<KubeconfigFile.User>] = [:]
    var contexts: [String: Entry<KubeconfigFile.Context>] = [:]
    var currentContext: String?

    mutating func merge(_ file: KubeconfigFile, from path: String) {
        files.append(path)
        for c in file.clusters ?? [] where clusters[c.name] == nil {
            clusters[c.name] = Entry(value: c.value ?? KubeconfigFile.Cluster(), file: path)
        }
        for u in file.users ?? [] where users[u.name] == nil {
            users[u.name] = Entry(value: u.value ?? KubeconfigFile.User(), file: path)
        }
        for c in file.contexts ?? [] where contexts[c.name] == nil {
            contexts[c.name] = Entry(value: c.value ?? KubeconfigFile.Context(), file: path)
        }
        if currentContext?.isEmpty ?? true, let cc = file.currentContext, !cc.isEmpty {
            currentContext = cc
        }
    }

    /// The files, as messages name them.
    var location: String { files.count == 1 ? files[0] : "the kubeconfig files \(files.joined(separator: ":"))" }

    static func list(_ names: some Collection<String>) -> String {
        names.isEmpty ? "(none)" : names.sorted().joined(separator: ", ")
    }
}
