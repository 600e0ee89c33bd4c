import ExtendCore

/// Reads cluster state from manifests (`--manifests PATH`, repeatable): files
/// or folders of YAML or JSON, multi-document or `kind: List` as
/// `kubectl get namespaces,pods,networkpolicies -A -o yaml` prints it.
/// Namespaces, Pods and NetworkPolicies are read, with the API server's
/// defaulting applied to policies (files are not defaulted); other kinds are
/// skipped with a note. The only I/O is reading the files.
public enum ManifestLoader {
    public static func load(paths: [String]) -> ManifestLoad {
        let problems = Problems()
        var decoder = ManifestDecoder(problems: problems)
        for path in ManifestFiles.expand(paths, problems: problems) {
            guard let file = SourceFile.read(path: path, problems: problems) else { continue }
            decoder.read(file)
        }
        return decoder.finish()
    }

    /// Several states at once, each as `load(paths:)` would give it, reading
    /// a file that several of them name once (`diff --connections`: the
    /// proposed state is usually the current files plus a change).
    public static func load(states: [[String]]) -> [ManifestLoad] {
        var read: [String: ManifestDecoder.FileRead] = [:]
        return states.map { paths in
            let problems = Problems()
            var decoder = ManifestDecoder(problems: problems)
            for path in ManifestFiles.expand(paths, problems: problems) {
                let file = read[path] ?? ManifestDecoder.FileRead.read(path: path)
                read[path] = file
                decoder.replay(file)
            }
            return decoder.finish()
        }
    }

    /// Reads manifest text as if from `path` (which only names it in messages).
    public static func parse(_ text: String, path: String = "<manifests>") -> ManifestLoad {
        parse(text, path: path, parallel: true)
    }

    /// As `parse(_:path:)`, choosing whether a large list is read on several threads.
    static func parse(_ text: String, path: String, parallel: Bool) -> ManifestLoad {
        let problems = Problems()
        var decoder = ManifestDecoder(problems: problems, parallel: parallel)
        if let file = SourceFile.parse(text: text, path: path, problems: problems) {
            decoder.read(file)
        }
        return decoder.finish()
    }

    /// Reads several texts into one state, as if they were files read in
    /// order; `name` stands for the file in messages (an API page's URL).
    public static func parse(sources: [(text: String, name: String)]) -> ManifestLoad {
        let problems = Problems()
        var decoder = ManifestDecoder(problems: problems)
        for source in sources {
            if let file = SourceFile.parse(text: source.text, path: source.name, problems: problems) {
                decoder.read(file)
            }
        }
        return decoder.finish()
    }
}
