extension ObservedHost {
    /// What the final rules the host holds do (`RuleComment.deny`): nil when
    /// it holds none, or when they disagree (an apply between its two
    /// transactions, or rules from before the comments existed).
    public var enforcement: Enforcement? {
        var seen: Set<Enforcement> = []
        for table in tables.values {
            for chain in table.chains where chain.name == Naming.inputChain || chain.name == Naming.outputChain {
                for rule in chain.rules {
                    let w = rule.words
                    guard let c = w.firstIndex(of: "--comment"), c + 1 < w.count, case .deny? = RuleComment(text: w[c + 1]),
                          let j = w.firstIndex(of: "-j"), j + 1 < w.count,
                          let mode = Enforcement.allCases.first(where: { $0.verdict == w[j + 1] }) else { continue }
                    seen.insert(mode)
                }
            }
        }
        return seen.count == 1 ? seen.first : nil
    }
}

extension HostPlan {
    /// "enforcement audit → enforce" when the host's final rules do other than
    /// `desired` wants (nil when they agree, or either holds no rules).
    public static func enforcementChange(_ observed: ObservedHost, _ desired: HostDesiredState) -> String? {
        guard !desired.needsNothing, let have = observed.enforcement, have != desired.enforcement else { return nil }
        return "enforcement \(have.rawValue) → \(desired.enforcement.rawValue)"
    }
}
