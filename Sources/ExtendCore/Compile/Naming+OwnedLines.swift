extension Naming {
    /// The lines of a payload that touch only what we own, as POSIX extended
    /// regular expressions for whole lines (`grep -xE`). The host checks every
    /// payload line against them before it loads anything (HostScripts), so
    /// whatever render and plan produce must match (a test checks).
    public enum OwnedLines {
        public static let setName = "\(setPrefix)[0-9A-Za-z_.-]+"
        public static let chainName = "\(chainPrefix)[0-9A-Za-z_.-]+"
        /// An `ipset restore` line that names a set of ours first (and, for swap, second).
        public static let ipset = "(create|add|del|flush|destroy) \(setName)( .*)?|swap \(setName) \(setName)"
        /// An `iptables-restore` line of ours: the table's frame, one of our
        /// chains declared or edited, or a rule in a built-in chain that does
        /// nothing but jump to one of ours (added or deleted).
        public static let iptables = [
            "\\*filter", "COMMIT", ":\(chainName) - \\[[0-9]+:[0-9]+\\]", "-[ADIRFXNZ] \(chainName)( .*)?",
            "-[ADI] (INPUT|OUTPUT|FORWARD)( [0-9]+)?( .*)? -j \(chainName)",
        ].joined(separator: "|")
    }
}
