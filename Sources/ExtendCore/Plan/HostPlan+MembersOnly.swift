extension HostPlan {
    /// The plan only adds entries to and deletes entries from sets the host
    /// already holds: one `ipset restore` of `add`/`del` lines, no set
    /// created, swapped or destroyed, no chain, rule or jump touched. Such a
    /// change cannot alter which rules of ours match a packet, only which
    /// addresses a set-matching rule takes: the apply relies on this to
    /// confirm it over the connection it loaded on when the host's lockout
    /// guard holds (HostAgent).
    public var changesMembersOnly: Bool {
        guard steps.count == 1, case .ipsetRestore(let text) = steps[0] else { return false }
        var any = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.hasPrefix("add ") || line.hasPrefix("del ") else { return false }
            any = true
        }
        return any
    }
}
