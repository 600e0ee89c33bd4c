@testable import ExtendCore
import Testing

/// `HostPlan.changesMembersOnly` decides whether an apply in restricted mode
/// may be confirmed over the connection it was loaded on: only a plan that
/// adds and deletes entries of sets the host holds, and nothing else.
@Suite("A plan that changes set members only")
struct MembersOnlyPlanTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var testDescription: String
        var steps: [HostPlan.Step]
        var membersOnly: Bool
    }

    static let cases: [Case] = [
        Case(testDescription: "entries added and deleted", steps: [.ipsetRestore("del npx-a 10.0.0.1 -exist\nadd npx-a 10.0.0.2 -exist\n")],
             membersOnly: true),
        Case(testDescription: "a list's child added", steps: [.ipsetRestore("add npx-l npx-a -exist\n")], membersOnly: true),
        Case(testDescription: "nothing to do", steps: [], membersOnly: false),
        Case(testDescription: "a set created", steps: [.ipsetRestore("create npx-b hash:net family inet -exist\nadd npx-b 10.0.0.1\n")],
             membersOnly: false),
        Case(testDescription: "a set rebuilt and swapped in",
             steps: [.ipsetRestore("create npx-a-t hash:net\nadd npx-a-t 10.0.0.1\nswap npx-a-t npx-a\ndestroy npx-a-t\n")],
             membersOnly: false),
        Case(testDescription: "entries and a chain", steps: [.ipsetRestore("add npx-a 10.0.0.2 -exist\n"),
                                                            .iptablesRestore(.inet, "*filter\n-A NPX-x -j ACCEPT\nCOMMIT\n")],
             membersOnly: false),
        Case(testDescription: "a chain alone", steps: [.iptablesRestore(.inet6, "*filter\n:NPX-x - [0:0]\nCOMMIT\n")], membersOnly: false),
        Case(testDescription: "a stale set destroyed", steps: [.ipsetDestroy(["npx-a"])], membersOnly: false),
        Case(testDescription: "entries, then a stale set destroyed", steps: [.ipsetRestore("add npx-a 10.0.0.2 -exist\n"), .ipsetDestroy(["npx-b"])],
             membersOnly: false),
        Case(testDescription: "a flush", steps: [.ipsetRestore("flush npx-a\n")], membersOnly: false),
    ]

    @Test("members only: add and del lines alone, in one ipset restore", arguments: cases)
    func classify(_ c: Case) {
        let plan = HostPlan(host: "h", steps: c.steps, diff: "", added: 0, removed: 0)
        #expect(plan.changesMembersOnly == c.membersOnly)
    }

    @Test("the planner's own steps: an entry delta is members only; a set built whole is not")
    func planned() throws {
        func set(_ addresses: [String]) throws -> IPSetSpec {
            IPSetSpec(name: "npx-a", family: .inet, members: try addresses.map { SetMember(try #require(CIDR($0))) })
        }
        let have = try set(["10.0.0.1/32", "10.0.0.2/32"]), want = try set(["10.0.0.1/32", "10.0.0.3/32"])
        let delta = try #require(Payloads.ipsetDelta(from: have, to: want))
        #expect(HostPlan(host: "h", steps: [.ipsetRestore(delta)], diff: "", added: 1, removed: 1).changesMembersOnly, "\(delta)")
        let whole = Payloads.ipsetRestoreBlock(want)
        #expect(!HostPlan(host: "h", steps: [.ipsetRestore(whole)], diff: "", added: 2, removed: 0).changesMembersOnly, "\(whole)")
    }
}
