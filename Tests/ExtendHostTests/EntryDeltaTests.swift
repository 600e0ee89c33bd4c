import ConformanceSupport
import ExtendCore
import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// When only members change (a client relabelled into or out of a peer),
    /// apply changes the live sets entry by entry: the set the rules match is
    /// never rebuilt, traffic follows at once, and the host ends in sync.
    @Suite("Entry deltas")
    struct EntryDeltas {
        /// The kernel's identity of a set: its hash seed, fixed at creation
        /// (a rebuilt-and-swapped set has another one).
        static func seed(_ lab: Lab, _ host: LabHost, _ set: String) throws -> String {
            let line = try lab.shell(host, "ipset save \(set) | head -1")
            return String(line.split(separator: " ").first { $0.hasPrefix("0x") } ?? "none")
        }

        @Test("a client relabelled into and out of a namespace-wide peer: entry deltas on the live sets, real traffic follows, diff in sync")
        func relabel() async throws {
            try await Lab.withHosts(count: 3) { lab in
                let (db, a, b) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
                let listeners = try Listeners(in: [db.netns], ports: [5432], logDirectory: lab.directory)
                defer { listeners.stop() }
                // Clients are picked in every namespace labelled env=lab: a list of atoms.
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]),
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]), in: NP.labels(["env": "lab"]))],
                                                            ports: [NP.port(5432)])])]
                func agent(bRole: String) throws -> HostAgent {
                    let hosts = [lab.legacyHost(db, labels: ["role": "db"]), lab.legacyHost(a, labels: ["role": "api"]),
                                 lab.legacyHost(b, labels: ["role": bRole])]
                    return try lab.agents(hosts, policies: policies)[0]
                }

                let first = try agent(bRole: "web")
                let r1 = try await first.applyOffPool()
                #expect(r1.status == .applied, "\(r1.message)")
                #expect(try lab.canConnect(from: a, to: db.address, port: 5432))
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))
                let atom = try #require(first.desired.sets.first { $0.kind == .hashNet }?.name)
                let list = try #require(first.desired.sets.first { $0.kind == .listSet }?.name)
                let seeds = (try Self.seed(lab, db, atom), try Self.seed(lab, db, list))

                // b joins the peer: one entry more in the atom, nothing else.
                let second = try agent(bRole: "api")
                #expect(second.desired.tables.map(\.chains) == first.desired.tables.map(\.chains), "the rules stay as they are")
                let d = try await second.diffOffPool()
                #expect(d.status == .changes)
                #expect(d.diff.contains("+add \(atom) \(b.address)") && d.added == 1 && d.removed == 0, "\(d.diff)")
                let r2 = try await second.applyOffPool()
                #expect(r2.status == .applied, "\(r2.message)")
                #expect(try lab.canConnect(from: b, to: db.address, port: 5432))
                #expect((try Self.seed(lab, db, atom), try Self.seed(lab, db, list)) == seeds, "the live sets were changed in place, not rebuilt")
                #expect(try await second.diffOffPool().status == .inSync)

                // And leaves it again.
                let third = try agent(bRole: "web")
                let r3 = try await third.applyOffPool()
                #expect(r3.status == .applied && r3.removed == 1 && r3.added == 0, "\(r3.message) \(r3.diff)")
                #expect(!(try lab.canConnect(from: b, to: db.address, port: 5432)))
                #expect(try lab.canConnect(from: a, to: db.address, port: 5432))
                #expect(try Self.seed(lab, db, atom) == seeds.0)
                #expect(try await third.diffOffPool().status == .inSync)
            }
        }
    }
}
