import ConformanceSupport
import ExtendCore
@testable import ExtendSSH
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// persist: true keeps the confirmed rules in /var/lib/netpol-extend/persist
    /// so a boot can load them. The lab runs no systemd, so the unit is not
    /// installed here; the files are what this suite checks.
    @Suite("Persisted rules")
    struct Persisted {
        static let persistDirectory = "/var/lib/netpol-extend/persist"

        @Test("persist: true writes files that reproduce the rules in a fresh namespace; persist: false removes them")
        func persistAndUnpersist() async throws {
            // The persist script installs a unit wherever /run/systemd/system
            // exists; lab hosts share this machine's /etc, so never run it there.
            try #require(!FileManager.default.fileExists(atPath: "/run/systemd/system"),
                         "systemd runs here: persisting would install the unit on this machine, outside the lab")
            try await Lab.withHosts(count: 2) { lab in
                let host = lab.hosts[0], fresh = lab.hosts[1]
                let hosts = [lab.legacyHost(host, labels: ["role": "db"], persist: true),
                             lab.legacyHost(fresh, labels: ["role": "api"])]
                let policies = [NP.policy(labNamespace, "db", select: NP.labels(["role": "db"]), types: [.ingress, .egress],
                                          ingress: [NP.rule([NP.pods(NP.labels(["role": "api"]))], ports: [NP.port(5432)]),
                                                    NP.rule([NP.cidr("198.19.0.0/16", except: ["198.19.1.0/24"])])],
                                          egress: [NP.rule([NP.pods(NP.labels(["role": "api"]))])])]
                var options = HostAgent.Options.lab
                options.persist = true
                var agent = try lab.agents(hosts, policies: policies, options: options)[0]
                let applied = try await agent.applyOffPool()
                #expect(applied.status == .applied, "\(applied.message)")

                let listing = try lab.shell(host, "ls \(Self.persistDirectory)")
                #expect(listing.split(separator: "\n").sorted() == ["ip6tables", "ipset", "iptables"])
                #expect(!FileManager.default.fileExists(atPath: "/etc/systemd/system/\(HostScripts.unitName)"),
                        "no systemd here: the unit must not be installed")

                // Load the files the way the unit does, into the other host, which holds nothing of ours.
                #expect(try HostState.read(lab, fresh).holdsNothingOfOurs)
                for (file, tool) in [("ipset", ["ipset", "restore", "-exist"]),
                                     ("iptables", ["iptables-restore", "--noflush"]),
                                     ("ip6tables", ["ip6tables-restore", "--noflush"])] {
                    let payload = try lab.exec(in: host, ["cat", "\(Self.persistDirectory)/\(file)"])
                    try #require(payload.succeeded)
                    if payload.stdout.isEmpty { continue }
                    let loaded = try lab.exec(in: fresh, tool, stdin: payload.stdout)
                    #expect(loaded.succeeded, "\(file): \(loaded.stderrText)")
                }
                let original = try HostState.read(lab, host), reproduced = try HostState.read(lab, fresh)
                #expect(!original.ours.isEmpty)
                #expect(reproduced.ours == original.ours)

                // Persisted and in sync: a second apply writes nothing.
                let again = try await agent.applyOffPool()
                #expect(again.status == .inSync, "\(again.message)")

                // persist: false removes the files, and leaves the rules.
                agent.options.persist = false
                let off = try await agent.applyOffPool()
                #expect(off.status == .applied)
                #expect(off.message == "rules were in sync; removed persisted rules")
                #expect(try lab.shell(host, "ls -A \(Self.persistDirectory)").isEmpty)
                #expect(try HostState.read(lab, host) == original)
                let settled = try await agent.applyOffPool()
                #expect(settled.status == .inSync, "\(settled.message)")
            }
        }

        @Test("templates/netpol-extend-restore.service is the unit the host agent installs")
        func templateMatchesUnit() throws {
            let path = packageRoot + "/templates/" + HostScripts.unitName
            let template = try String(contentsOfFile: path, encoding: .utf8)
            #expect(template == HostScripts.restoreUnit)
        }
    }
}
