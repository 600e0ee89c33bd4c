import Foundation

/// Expands `--manifests` arguments into the files to read.
enum ManifestFiles {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// A file stands for itself, whatever its name; a folder for every
    /// `*.yaml`, `*.yml` and `*.json` below it, sorted by path so that the same
    /// folder always loads the same way. Hidden files and folders are left out
    /// (a ConfigMap volume's `..data` copies, editor and VCS files); symbolic
    /// links to files are followed.
    static func expand(_ paths: [String], problems: Problems) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.error(path, "no such file or directory")
                continue
            }
            guard isDirectory.boolValue else {
                out.append(path)
                continue
            }
            let found = filesBelow(path)
            if found.isEmpty {
                problems.warning(path, "folder holds no .yaml, .yml or .json files")
            }
            out += found
        }
        return out
    }

    private static func filesBelow(_ folder: String) -> [String] {
        let fm = FileManager.default
        guard let walk = fm.enumerator(atPath: folder) else { return [] }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        var found: [String] = []
        while let relative = walk.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            let full = base + relative
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if name.hasPrefix(".") {
                if isDirectory.boolValue { walk.skipDescendants() }
                continue
            }
            let ext = (name as NSString).pathExtension.lowercased()
            if !isDirectory.boolValue, extensions.contains(ext) { found.append(full) }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
