import ExtendCore
import Testing
@testable import ExtendController

/// The dry run's digests come from hashes kept between host runs: each must
/// be the digest `extend render` prints for the same state, also after a
/// set's members changed under the same name and a list's member did.
@Suite struct SetHashMemoTests {
    static func state(_ web: [String], _ db: [String], list: [String]) -> HostDesiredState {
        func set(_ name: String, _ addresses: [String]) -> IPSetSpec {
            IPSetSpec(name: name, family: .inet, members: addresses.map { SetMember(CIDR($0, allowBareAddress: true)!) })
        }
        let sets = [set("npx-web", web), set("npx-db", db), IPSetSpec(list: "npx-peers", family: .inet, children: list)]
        let chain = ChainSpec(name: Naming.inputChain, rules: [RuleSpec(["-m", "set", "--match-set", "npx-peers", "src", "-j", "ACCEPT"])])
        return HostDesiredState(host: "h", tables: [FamilyTable(family: .inet, sets: sets, chains: [chain], matched: ["npx-peers"])])
    }

    @Test func digestsAreRendersAsMembersChange() {
        let memo = SetHashMemo()
        let states = [
            Self.state(["10.0.0.1"], ["10.0.1.1"], list: ["npx-db", "npx-web"]),
            Self.state(["10.0.0.1", "10.0.0.2"], ["10.0.1.1"], list: ["npx-db", "npx-web"]),   // web's members changed
            Self.state(["10.0.0.1", "10.0.0.2"], ["10.0.1.1"], list: ["npx-web"]),             // the list lost db
            Self.state(["10.0.0.1"], ["10.0.1.1"], list: ["npx-db", "npx-web"]),               // back to the first
        ]
        var seen: Set<String> = []
        for s in states {
            let fresh = RenderedHost.digest(s, cache: SetTextCache())
            #expect(RenderedHost.digest(s, hash: memo.hash) == fresh)
            #expect(RenderedHost.digest(s, hash: memo.hash) == fresh, "asked again, from the memo")
            seen.insert(fresh)
        }
        #expect(seen.count == 3, "each change of members changes the digest; the last state is the first again")
    }

    @Test func aFullMemoStartsAgainAndStillAnswersRight() {
        let memo = SetHashMemo(limit: 1)
        let s = Self.state(["10.0.0.1"], ["10.0.1.1"], list: ["npx-db", "npx-web"])
        #expect(RenderedHost.digest(s, hash: memo.hash) == RenderedHost.digest(s, cache: SetTextCache()))
        #expect(RenderedHost.digest(s, hash: memo.hash) == RenderedHost.digest(s, cache: SetTextCache()))
    }
}
