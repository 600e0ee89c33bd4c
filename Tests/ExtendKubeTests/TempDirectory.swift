import Foundation

/// A temporary folder for one test, removed when the test is done.
final class TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("extend-kube-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` at `name` (folders made as needed) and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
        return full
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
    }
}

/// A kubeconfig as text, for tests.
enum KC {
    static func config(clusters: [(String, String)] = [], users: [(String, String)] = [],
                       contexts: [(name: String, cluster: String, user: String)] = [], current: String? = nil,
                       namespace: String? = nil) -> String {
        var s = "apiVersion: v1\nkind: Config\n"
        if let current { s += "current-context: \(current)\n" }
        s += "clusters:\n" + clusters.map { "- name: \($0.0)\n  cluster:\n\(indent($0.1))" }.joined()
        s += "users:\n" + users.map { "- name: \($0.0)\n  user:\n\(indent($0.1))" }.joined()
        s += "contexts:\n" + contexts.map {
            "- name: \($0.name)\n  context:\n    cluster: \($0.cluster)\n    user: \($0.user)\n" + (namespace.map { "    namespace: \($0)\n" } ?? "")
        }.joined()
        return s
    }

    private static func indent(_ body: String) -> String {
        body.split(separator: "\n").map { "    " + $0 + "\n" }.joined()
    }
}
