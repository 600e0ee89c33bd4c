import ExtendCore
import ExtendInput
import Foundation

/// `render --output json`: every set, every policy chain and every rule set
/// once at the top level. Hosts that the same policies isolate (with the same
/// ports and guard) hold the same rules: a rule set names its chains and the
/// sets its rules match, and carries its top chains (`NPX-INPUT`,
/// `NPX-OUTPUT`) rule by rule, and each host names its rule set. A host needs
/// the sets its rule set matches and the members of the lists among them:
/// listing those in every rule set grew with rule sets × namespaces.
///
///     {"hosts": [{"name", "namespace", "needsNothing", "ruleSet": ID}],      (no ruleSet: needs nothing)
///      "ruleSets": [{"id", "digest", "matchSets": [NAME…], "chains": {"inet": [NAME…], "inet6": […]},
///                    "topChains": {"inet": {"NPX-INPUT": [RULE…], "NPX-OUTPUT": […]}, …}, "dropLogs",
///                    "enforcement": "enforce"|"audit"}],
///      "chains": [{"name", "family", "rules"}],
///      "sets": [{"name", "type", "family", "members"}], "warnings": […]}
enum RenderJSON {
    // One per host and one per rule set: written by hand (JSONText), as
    // JSONEncoder would write them, which took a tenth of the run at scale.
    struct Host {
        var name: String
        var namespace: String
        var needsNothing: Bool
        var ruleSet: Int?

        var json: String {
            JSONText.object([("name", JSONText.quote(name)), ("namespace", JSONText.quote(namespace)),
                             ("needsNothing", needsNothing ? "true" : "false")] + (ruleSet.map { [("ruleSet", String($0))] } ?? []))
        }
    }
    struct RuleSetOut {
        var chains: [String: [String]]
        var digest: String
        var dropLogs: [DropLogTag]
        var enforcement: Enforcement
        var id: Int
        /// The sets its rules match; a list's members are sets of their own, in the top-level list.
        var matchSets: [String]
        var topChains: [String: [String: [String]]]

        var json: String {
            let drops = dropLogs.map { t in
                JSONText.object([("direction", JSONText.quote(t.direction.rawValue)), ("host", JSONText.quote(t.host)),
                                 ("policies", JSONText.array(t.policies)), ("prefix", JSONText.quote(t.prefix))])
            }
            return JSONText.object([
                ("chains", JSONText.object(chains.map { ($0.key, JSONText.array($0.value)) })),
                ("digest", JSONText.quote(digest)),
                ("dropLogs", "[" + drops.joined(separator: ",") + "]"),
                ("enforcement", JSONText.quote(enforcement.rawValue)),
                ("id", String(id)),
                ("matchSets", JSONText.array(matchSets)),
                ("topChains", JSONText.object(topChains.map { f in
                    (f.key, JSONText.object(f.value.map { ($0.key, JSONText.array($0.value)) }))
                })),
            ])
        }
    }
    struct Chain {
        var name: String
        var family: String
        var rules: [String]
    }
    static func isTop(_ c: ChainSpec) -> Bool { c.name == Naming.inputChain || c.name == Naming.outputChain }

    /// Compiles host after host on this thread, while a thread of its own
    /// (`RuleSetText`) turns each new rule set, and the sets it brings, into
    /// text and digest: on two cores the two overlap. Then the texts are
    /// written, each part sorted by name. The lint's warnings are asked for
    /// last: the lint runs on a thread of its own meanwhile.
    static func write(_ hosts: [LegacyHost], compiler: Compiler, cache: SetTextCache,
                      warnings: () -> [Diagnostic], to out: BufferedOutput) throws {
        let text = RuleSetText(cache: cache)
        var seenSets: Set<String> = []
        var seenRuleSets: Set<Int> = []
        out.write("{\"hosts\": [")
        for (i, h) in hosts.enumerated() {
            let compiled = compiler.ruleSet(h)
            if let (rules, id) = compiled, seenRuleSets.insert(id).inserted {
                // The sets it matches that no rule set before it did, with a list's members: values, handed over.
                var fresh: [IPSetSpec] = []
                for t in rules.tables {
                    for name in t.matched where seenSets.insert(name).inserted {
                        guard let set = compiler.set(named: name) else { continue }
                        fresh.append(set)
                        for child in set.children where seenSets.insert(child).inserted {
                            if let c = compiler.set(named: child) { fresh.append(c) }
                        }
                    }
                }
                text.add(rules, id: id, sets: fresh)
            }
            let host = Host(name: h.name, namespace: h.namespace, needsNothing: compiled == nil, ruleSet: compiled?.id)
            out.write((i == 0 ? "\n" : ",\n") + host.json)
        }
        let done = text.finish()
        out.write("\n],\n\"ruleSets\": [")
        for (i, id) in done.ruleSets.keys.sorted().enumerated() {
            out.write((i == 0 ? "\n" : ",\n") + (done.ruleSets[id] ?? ""))
        }
        out.write("\n],\n\"chains\": [")
        for (i, name) in done.chains.keys.sorted().enumerated() {
            guard let c = done.chains[name] else { continue }
            out.write((i == 0 ? "\n" : ",\n") + JSONText.object([("family", JSONText.quote(c.family)),
                                                                  ("name", JSONText.quote(c.name)), ("rules", JSONText.array(c.rules))]))
        }
        out.write("\n],\n\"sets\": [")
        for (i, name) in done.setTexts.keys.sorted().enumerated() {
            out.write((i == 0 ? "\n" : ",\n") + (done.setTexts[name] ?? ""))
        }
        out.write("\n],\n\"warnings\": \(JSONText.array(warnings().sorted().map(\.description)))}\n")
    }

    /// One set: `{"family","members","name","type"}`.
    static func setJSON(_ set: IPSetSpec) -> String {
        var s = "{\"family\":\"\(set.family.rawValue)\",\"members\":["
        for (j, e) in set.entryTexts.enumerated() {
            if j > 0 { s += "," }
            s += JSONText.quote(e)
        }
        return s + "],\"name\":\(JSONText.quote(set.name)),\"type\":\"\(set.kind.rawValue)\"}"
    }
}

/// Rule sets, and the sets they bring, made into their JSON text and digest
/// on a queue of its own, in the order they were compiled. Everything it holds is touched on that
/// queue only; what it is given are values.
final class RuleSetText: @unchecked Sendable {
    struct Done {
        var ruleSets: [Int: String]
        var chains: [String: RenderJSON.Chain]
        var sets: [String: IPSetSpec]
        /// Each set's JSON (`RenderJSON.setJSON`), by name.
        var setTexts: [String: String]
    }
    private let queue = DispatchQueue(label: "extend.render.rule-sets")
    private let cache: SetTextCache
    private var done = Done(ruleSets: [:], chains: [:], sets: [:], setTexts: [:])

    init(cache: SetTextCache) { self.cache = cache }

    /// A rule set compiled, with the sets it brings that none before it did.
    func add(_ rules: RuleSet, id: Int, sets: [IPSetSpec]) {
        queue.async { self.make(rules, id: id, sets: sets) }
    }

    /// Waits for every rule set given so far.
    func finish() -> Done { queue.sync { done } }

    private func make(_ rules: RuleSet, id: Int, sets: [IPSetSpec]) {
        for s in sets {
            done.sets[s.name] = s
            done.setTexts[s.name] = RenderJSON.setJSON(s)
        }
        var names: [String: [String]] = [:]
        var top: [String: [String: [String]]] = [:]
        var matched: [String] = []
        for t in rules.tables {
            let f = t.family.rawValue
            names[f] = t.chains.map(\.name)
            matched += t.matched
            for c in t.chains {
                if RenderJSON.isTop(c) {
                    top[f, default: [:]][c.name] = c.rules.map(\.description)
                } else if done.chains[c.name] == nil {
                    done.chains[c.name] = RenderJSON.Chain(name: c.name, family: f, rules: c.rules.map(\.description))
                }
            }
        }
        let digest = RenderedHost.digest(rules, cache: cache) { self.done.sets[$0] }
        done.ruleSets[id] = RenderJSON.RuleSetOut(chains: names, digest: "sha256:" + digest, dropLogs: rules.dropLogs,
                                                  enforcement: rules.enforcement, id: id, matchSets: matched.sorted(), topChains: top).json
    }
}
