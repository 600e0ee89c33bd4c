import ExtendCore

/// The companion NetworkPolicies as `render --companions` and `diff --companions` show them.
enum CompanionsOutput {
    /// stdout: what `kubectl apply -f -` takes (YAML documents, or a List);
    /// with `prune`, the stale companions after them, where kubectl ignores
    /// them (comments; in JSON a `stale` field beside the List's items).
    static func render(_ input: LoadedInput, prune: Bool, format: OutputFormat, console: Console) throws {
        let plan = CompanionPlan(wanted: CompanionBuilder(world: input.world).companions(), world: input.world)
        console.report(input.warnings + plan.conflictWarnings)
        let stale = prune ? plan.delete : []
        switch format {
        case .text:
            var out = Companion.yaml(plan.apply)
            if !stale.isEmpty {
                out += "# stale: companions of netpol-extend in the cluster that no policy wants any more; delete them:\n"
                out += stale.map { "# " + deleteCommand($0) + "\n" }.joined()
            }
            console.out(out)
            if plan.apply.isEmpty { console.note("no companion NetworkPolicies: no policy in a cluster namespace admits a legacy host by selector") }
            if !stale.isEmpty { console.note("\(stale.count) stale companion(s): see the # stale: lines at the end of the output") }
        case .json:
            guard case .map(var fields) = Companion.jsonList(plan.apply) else { return }
            if prune {
                fields.append(.init("stale", .list(stale.map { p in
                    .map([.init("namespace", .string(p.namespace)), .init("name", .string(p.name)),
                          .init("command", .string(deleteCommand(p)))])
                })))
            }
            console.out(ManifestNode.map(fields).json + "\n")
        }
    }

    static func deleteCommand(_ p: NetworkPolicy) -> String {
        "kubectl delete networkpolicy -n \(p.namespace) \(p.name)"
    }

    /// `diff --companions`: one line per companion that changes, then the counts.
    static func diffText(_ plan: CompanionPlan) -> String {
        let width = max(4, (plan.create + plan.update + plan.conflicts).map(\.id.count).max() ?? 4,
                        plan.delete.map(\.id.count).max() ?? 4)
        func line(_ mark: String, _ id: String, _ what: String) -> String {
            "\(mark) " + id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + what + "\n"
        }
        var out = "companion NetworkPolicies (wanted against the cluster input):\n"
        out += plan.create.map { line("+", $0.id, "create (companion of \($0.sourceName))") }.joined()
        out += plan.update.map { line("~", $0.id, "update (companion of \($0.sourceName))") }.joined()
        out += plan.delete.map { line("-", $0.id, "delete (stale: no longer wanted)") }.joined()
        out += plan.conflicts.map { line("!", $0.id, "left alone: a policy not ours has this name") }.joined()
        return out + "\(plan.create.count) to create, \(plan.update.count) to update, \(plan.delete.count) to delete, "
            + "\(plan.unchanged.count) unchanged\n"
    }
}
