import ExtendCore
import Testing

/// A rule is compared with what the host's `iptables-save` prints word for
/// word, and sent as `iptables-restore` text: a word's quoting must read back
/// as the same word, and plain words stay bare as iptables-save prints them.
@Suite struct RuleQuotingTests {
    @Test(arguments: [
        (["-p", "tcp", "-m", "tcp", "--dport", "5432", "-j", "ACCEPT"], #"-p tcp -m tcp --dport 5432 -j ACCEPT"#),
        (["-m", "comment", "--comment", "npx:allow web/db ingress 0"], #"-m comment --comment "npx:allow web/db ingress 0""#),
        (["-m", "comment", "--comment", #"say "hi" \ bye"#], #"-m comment --comment "say \"hi\" \\ bye""#),
        (["-m", "comment", "--comment", "héllo"], #"-m comment --comment "héllo""#),
        (["-m", "comment", "--comment", ""], #"-m comment --comment """#),
    ])
    func wordsReadBack(_ words: [String], _ text: String) throws {
        let rule = RuleSpec(words)
        #expect(rule.description == text)
        let back = try ObservedParser.iptablesSave("*filter\n:\(Naming.inputChain) - [0:0]\n-A \(Naming.inputChain) \(rule.description)\nCOMMIT\n")
        #expect(back.chains.first?.rules == [rule])
    }
}
