import BenchSupport
import Foundation
import Testing

/// `render --output json` at a size where its sets are written window after
/// window and its rule sets made into text beside the compile: each host
/// must get from it exactly what `render` (text) gives that host, the same
/// sets with the same members and the same digest.
@Suite struct RenderAtScaleCLITests {
    /// Generated as the benchmark generates clusters (namespace-wide peers,
    /// hosts in inventory-only namespaces), small enough for a debug build.
    static let scale = BenchScale(pods: 2_000, policies: 400, hosts: 200, namespaces: 20, seed: 42)

    struct HostView: Equatable {
        var digest: String
        /// Set name → its entries as `ipset save` prints them (a list's: set names).
        var sets: [String: [String]]
    }

    @Test func jsonGivesEachHostWhatTextGivesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("extend-scale-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try BenchInput.write(Self.scale, to: dir)

        let json = try CLI.run(["render", "--output", "json"] + input.extendArguments)
        #expect(json.exited(0), "\(json.stderrText)")
        let doc = try json.json()
        let sets = try #require(doc["sets"] as? [[String: Any]])
        #expect(sets.count > 512, "enough sets to be written in several windows (\(sets.count))")
        var members: [String: [String]] = [:], lists: Set<String> = []
        for s in sets {
            let name = try #require(s["name"] as? String)
            members[name] = try #require(s["members"] as? [String])
            if s["type"] as? String == "list:set" { lists.insert(name) }
        }
        let ruleSets = try #require(doc["ruleSets"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: ruleSets.compactMap { r in (r["id"] as? Int).map { ($0, r) } })
        var fromJSON: [String: HostView?] = [:]
        for h in try #require(doc["hosts"] as? [[String: Any]]) {
            let name = try #require(h["name"] as? String)
            guard let id = h["ruleSet"] as? Int else { fromJSON[name] = .some(nil); continue }
            let rs = try #require(byID[id])
            var needed = Set(try #require(rs["matchSets"] as? [String]))
            for list in needed.intersection(lists) { needed.formUnion(members[list] ?? []) }
            fromJSON[name] = HostView(digest: try #require(rs["digest"] as? String),
                                      sets: Dictionary(uniqueKeysWithValues: needed.map { ($0, members[$0] ?? ["<not listed>"]) }))
        }

        let text = try CLI.run(["render"] + input.extendArguments)
        #expect(text.exited(0), "\(text.stderrText)")
        let fromText = Self.hosts(text.stdoutText)
        #expect(fromText.count == Self.scale.hosts)
        #expect(Set(fromText.keys) == Set(fromJSON.keys))
        var differing: [String] = []
        for (host, view) in fromText where fromJSON[host] != .some(view) { differing.append(host) }
        #expect(differing.isEmpty, "hosts whose JSON differs from their text render: \(differing.sorted().prefix(5))")
        #expect(fromText.values.contains { $0 != nil }, "some host holds rules")
    }

    /// Each host of a text render: its digest and the sets its `ipset
    /// restore` fills (nil for a host that needs nothing; a host that a
    /// deny-all policy isolates has rules and no sets).
    static func hosts(_ text: String) -> [String: HostView?] {
        var out: [String: HostView?] = [:]
        var current: String?
        var view = HostView(digest: "", sets: [:])
        var needsNothing = false
        func close() {
            guard let current else { return }
            out[current] = needsNothing ? .some(nil) : view
        }
        for line in text.split(separator: "\n") {
            let w = line.split(separator: " ", maxSplits: 2)
            if line.hasPrefix("== ") {
                close()
                current = String(w[1])
                needsNothing = false
                let parts = line.split(separator: " ")
                view = HostView(digest: parts.count >= 2 && parts[parts.count - 2] == "digest" ? String(parts[parts.count - 1]) : "", sets: [:])
            } else if line.contains("no policy isolates this host") {
                needsNothing = true
            } else if (line.hasPrefix("create ") || line.hasPrefix("add ")) && w.count >= 2 {
                // Filled under a temporary name (`-n`), then swapped in.
                var name = String(w[1])
                if name.hasSuffix("-n") { name.removeLast(2) }
                if line.hasPrefix("add "), w.count == 3 { view.sets[name, default: []].append(String(w[2])) } else { view.sets[name, default: []] += [] }
            }
        }
        close()
        return out
    }
}
