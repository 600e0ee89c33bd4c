import ExtendCore

/// What the apply command reads on stdin: named sections, each a payload or
/// a parameter, closed by `#npx end` so a cut-off transfer is detected.
struct ApplyBundle {
    private(set) var sections: [(String, String)] = []

    mutating func add(_ name: String, _ text: String) {
        precondition(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" })
        sections.append((name, text))
    }

    var bytes: [UInt8] {
        var out = ""
        for (name, text) in sections {
            out += "#npx \(name)\n" + text
            if !text.isEmpty && !text.hasSuffix("\n") { out += "\n" }
        }
        out += "#npx end\n"
        return Array(out.utf8)
    }

    /// The bundle for one host: the plan's steps, the rollback, and what the
    /// host must still hold for the apply to go ahead.
    static func make(plan: HostPlan, rollback: RollbackPayloads, observation: HostObservation, token: String,
                     rollbackAfter: Int) -> ApplyBundle {
        var b = ApplyBundle()
        b.add("expect", observation.stateHash)
        b.add("token", token)
        b.add("timeout", String(rollbackAfter))
        b.add("rollback-ipset", rollback.ipset)
        // Each family's rollback runs only if that family no longer holds
        // what it held before (its transaction went in, whenever the apply stopped).
        if let v4 = rollback.iptables[.inet] {
            b.add("rollback-iptables", v4)
            b.add("rollback-iptables-before", observation.familyHashes[.inet] ?? "")
        }
        if let v6 = rollback.iptables[.inet6] {
            b.add("rollback-ip6tables", v6)
            b.add("rollback-ip6tables-before", observation.familyHashes[.inet6] ?? "")
        }
        b.add("rollback-destroy", rollback.destroy.map { $0 + "\n" }.joined())
        for step in plan.steps {
            switch step {
            case .ipsetRestore(let t): b.add("ipset", t)
            case .iptablesRestore(.inet, let t): b.add("iptables", t)
            case .iptablesRestore(.inet6, let t): b.add("ip6tables", t)
            case .ipsetDestroy(let names): b.add("destroy", names.map { $0 + "\n" }.joined())
            }
        }
        return b
    }
}
