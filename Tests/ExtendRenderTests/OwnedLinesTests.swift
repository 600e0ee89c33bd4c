import ExtendCore
import Foundation
import Testing

/// Every payload line that render and plan produce must pass the host's
/// check (`Naming.OwnedLines`, which the host scripts apply before loading
/// anything): a line they refuse would stop every apply, in both SSH modes.
@Suite struct OwnedLinesTests {
    static func matcher(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
    }

    /// The lines of `text` that the pattern refuses.
    static func refused(_ text: String, _ pattern: String) throws -> [String] {
        let re = try matcher(pattern)
        return text.split(separator: "\n").map(String.init).filter {
            re.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) == nil
        }
    }

    /// What one apply sends: the plan's steps, the rollback, the persisted payloads.
    static func checkApply(_ desired: HostDesiredState, over observed: ObservedHost) throws {
        let plan = Planner.plan(desired, observed: observed)
        let rollback = RollbackPayloads.plan(back: observed, from: desired)
        let rendered = RenderedHost(desired)
        var ipset = [rollback.ipset, rendered.ipset], iptables = Array(rollback.iptables.values) + Array(rendered.iptables.values)
        var names = rollback.destroy
        for step in plan.steps {
            switch step {
            case .ipsetRestore(let t): ipset.append(t)
            case .iptablesRestore(_, let t): iptables.append(t)
            case .ipsetDestroy(let n): names += n
            }
        }
        for t in ipset { #expect(try refused(t, Naming.OwnedLines.ipset) == [], "\(desired.host)") }
        for t in iptables { #expect(try refused(t, Naming.OwnedLines.iptables) == [], "\(desired.host)") }
        #expect(try refused(names.joined(separator: "\n"), Naming.OwnedLines.setName) == [], "\(desired.host)")
    }

    @Test("a fresh host's apply, its rollback and its persisted rules: every host of the example and the edge cases")
    func freshHosts() throws {
        for world in [try RenderGoldenTests.example, try RenderGoldenTests.edgeCases] {
            let compiler = Compiler(world: world)
            for host in world.hosts {
                try Self.checkApply(compiler.compile(host), over: ObservedHost())
            }
        }
    }

    @Test("changing a host's rules to another host's, and removing them all (with foreign rules and sets around)")
    func changesAndRemoval() throws {
        let world = try RenderGoldenTests.edgeCases
        let compiler = Compiler(world: world)
        let states = world.hosts.map { compiler.compile($0) }
        for held in states {
            let observed = try PlanTests.observed(held, extraJump: true)
            for wanted in states where wanted.host != held.host {
                try Self.checkApply(wanted, over: observed)
            }
            try Self.checkApply(.nothing(host: held.host), over: observed)
        }
    }

    @Test("the check refuses what is not ours", arguments: [
        ("-I INPUT 1 -j DROP", Naming.OwnedLines.iptables), ("-F INPUT", Naming.OwnedLines.iptables), ("*nat", Naming.OwnedLines.iptables),
        ("-A INPUT -j NPX-INPUT -j DROP x", Naming.OwnedLines.iptables), (":INPUT ACCEPT [0:0]", Naming.OwnedLines.iptables),
        ("flush foreign", Naming.OwnedLines.ipset), ("swap npx-a foreign", Naming.OwnedLines.ipset), ("destroy", Naming.OwnedLines.ipset),
        ("foreign", Naming.OwnedLines.setName), ("npx-a b", Naming.OwnedLines.setName),
    ])
    func refusesForeign(_ line: String, _ pattern: String) throws {
        #expect(try Self.refused(line, pattern) == [line])
    }
}
