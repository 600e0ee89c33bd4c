import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Lab {
    /// The file in a lab's directory that records what the lab made.
    static let journalName = "resources"

    /// Removes the labs whose test process died without tearing them down
    /// (a crash skips every `defer`): for each lab directory whose journal
    /// names an owner that is gone, what that journal records, and nothing
    /// else. Recorded pids are signalled only while their command line still
    /// names that lab's directory (a pid may have been reused since); the
    /// rest of a lab's processes are found inside its own namespaces.
    /// Returns what could not be removed.
    @discardableResult
    public static func removeAbandoned(in parent: String = "/tmp") -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var problems: [String] = []
        for entry in entries.sorted() where entry.hasPrefix("npx-lab-") {
            let directory = parent + "/" + entry
            guard let (resources, children) = LabResources.abandoned(journal: directory + "/" + journalName) else { continue }
            for pid in children {
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
                if String(decoding: raw, as: UTF8.self).contains(directory) { kill(pid, SIGKILL) }
            }
            problems += resources.tearDown().map { "abandoned lab \(entry): \($0)" }
        }
        return problems
    }
}
