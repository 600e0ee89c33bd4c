import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// A host deleted from the inventory is still known from the managed hosts
    /// record, so `extend apply` removes everything of ours from it (and
    /// nothing else), as it does from a listed host no policy selects.
    @Suite("Retired hosts: removed from the inventory, cleaned by the next apply")
    struct RetiredHosts {
        /// An inventory of `hosts`, all selected by the policy, reached with the lab's unencrypted key.
        static func writeInventory(_ lab: Lab, _ hosts: [LabHost], persist: LabHost?) throws -> String {
            var text = """
                apiVersion: netpol-extend/v1
                kind: Inventory
                namespaces:
                  - name: \(labNamespace)
                    labels: {env: lab}
                defaults:
                  ssh:
                    user: \(lab.user)
                    port: \(lab.hosts[0].port)
                    identityFile: \(lab.clientKey.path)
                    knownHostsFile: \(lab.knownHostsPath)
                    connectTimeoutSeconds: 5
                  management: [\(lab.managementAddress)/32]
                hosts:

                """
            for h in hosts {
                text += "  - {name: \(h.name), namespace: \(labNamespace), labels: {role: db}, addresses: [\(h.address)]"
                    + (h == persist ? ", persist: true}\n" : "}\n")
            }
            let path = lab.path("inventory.yaml")
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw LabError("cannot write \(path)")
            }
            return path
        }

        /// Both directions isolated, with ipBlock sets; no peer is a lab host,
        /// so removing one host from the inventory changes nothing the other should hold.
        static func writePolicy(_ lab: Lab) throws -> String {
            let policy = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: db
                  namespace: \(labNamespace)
                spec:
                  podSelector:
                    matchLabels: {role: db}
                  policyTypes: [Ingress, Egress]
                  ingress:
                  - from:
                    - ipBlock: {cidr: 198.19.0.0/16, except: [198.19.1.0/24]}
                    ports:
                    - {port: 5432, protocol: TCP}
                  egress:
                  - to:
                    - ipBlock: {cidr: 198.19.8.0/24}
                    ports:
                    - {port: 53, protocol: UDP}

                """
            let path = lab.path("policy.yaml")
            guard FileManager.default.createFile(atPath: path, contents: Data(policy.utf8)) else {
                throw LabError("cannot write \(path)")
            }
            return path
        }

        static func recordedNames(_ path: String) throws -> [String] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return (json?["hosts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }

        @Test("diff shows the removed host's pending removal and changes nothing; apply removes every rule and set of ours from it, leaves foreign ones exactly as they were, and forgets it")
        func removedHostIsCleaned() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            // The persist script installs a unit wherever /run/systemd/system exists, and lab
            // hosts share this machine's /etc: persisted rules are part of the test only without systemd.
            let persists = !FileManager.default.fileExists(atPath: "/run/systemd/system")
            try await Lab.withHosts(count: 2) { lab in
                let kept = lab.hosts[0], gone = lab.hosts[1]
                func extend(_ arguments: [String]) throws -> ExtendBinary.Run {
                    try ExtendBinary.run(arguments, passphrase: nil, lab: lab)
                }
                try lab.shell(gone, HostLabBacked.ForeignRules.foreignSetup)
                let untouched = try HostState.read(lab, gone)
                #expect(untouched.holdsNothingOfOurs)

                let inventory = try Self.writeInventory(lab, [kept, gone], persist: persists ? gone : nil)
                let input = ["--inventory", inventory, "--manifests", try Self.writePolicy(lab)]
                let record = inventory + ".state.json"

                // Both hosts get rules; the record lists both.
                let applied = try extend(["apply", "--rollback-after", "20"] + input)
                #expect(applied.status == 0, "\(applied)")
                let keptApplied = try HostState.read(lab, kept), goneApplied = try HostState.read(lab, gone)
                #expect(keptApplied.ours.contains("-A INPUT -j NPX-INPUT"), "\(keptApplied)")
                #expect(goneApplied.ours.contains("-A INPUT -j NPX-INPUT") && goneApplied.ours.contains("create npx-"), "\(goneApplied)")
                #expect(goneApplied.foreign == untouched.foreign)
                #expect(try Self.recordedNames(record) == [kept.name, gone.name].sorted())
                if persists {
                    #expect(try lab.shell(gone, "ls \(Persisted.persistDirectory)").split(separator: "\n").sorted() == ["ip6tables", "ipset", "iptables"])
                }

                // The host leaves the inventory.
                _ = try Self.writeInventory(lab, [kept], persist: nil)
                let recordBytes = try Data(contentsOf: URL(fileURLWithPath: record))

                // diff: the retired host and its pending removal; nothing changes anywhere.
                let diff = try extend(["diff", "--detailed-exitcode"] + input)
                #expect(diff.status == 2, "\(diff)")
                #expect(diff.stdout.contains("+++ \(gone.name) (left the inventory: nothing of ours)"), "\(diff)")
                let removal = diff.stdout.split(separator: "\n").filter { $0.hasPrefix("-") && !$0.hasPrefix("---") }
                #expect(removal.contains { $0.contains("-A INPUT -j NPX-INPUT") }, "\(diff)")
                #expect(removal.contains { $0.contains("npx-") }, "\(diff)")
                #expect(!diff.stdout.split(separator: "\n").contains { $0.hasPrefix("+") && !$0.hasPrefix("+++") }, "\(diff)")
                #expect(diff.stdout.contains("\(gone.name)  changes      left the inventory: everything of ours is to be removed"), "\(diff)")
                #expect(diff.stdout.contains("\(kept.name)  in-sync"), "\(diff)")
                let json = try extend(["diff", "--output", "json"] + input)
                let hosts = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["hosts"] as? [[String: Any]]
                let retired = try #require(hosts?.first { $0["host"] as? String == gone.name }, "\(json)")
                #expect(retired["retired"] as? Bool == true && retired["status"] as? String == "changes", "\(json)")
                #expect(retired["added"] as? Int == 0 && (retired["removed"] as? Int ?? 0) > 0, "\(json)")
                #expect(try HostState.read(lab, gone) == goneApplied)
                #expect(try HostState.read(lab, kept) == keptApplied)
                #expect(try Data(contentsOf: URL(fileURLWithPath: record)) == recordBytes)

                // apply: everything of ours goes; every foreign line and set stays, byte for byte.
                let cleaned = try extend(["apply", "--rollback-after", "20"] + input)
                #expect(cleaned.status == 0, "\(cleaned)")
                #expect(cleaned.stdout.contains("\(gone.name)  applied      left the inventory: removed everything of ours (-"), "\(cleaned)")
                #expect(cleaned.stdout.contains("confirmed; dropped from the record"), "\(cleaned)")
                let after = try HostState.read(lab, gone)
                #expect(after.holdsNothingOfOurs, "left of ours: \(after.ours)")
                #expect(after.foreign == untouched.foreign)
                #expect(after == untouched)
                if persists {
                    #expect(try lab.shell(gone, "ls -A \(Persisted.persistDirectory)").isEmpty)
                }

                // The record forgets it; the remaining host was never touched and is in sync.
                #expect(try Self.recordedNames(record) == [kept.name])
                #expect(try HostState.read(lab, kept) == keptApplied)
                let settled = try extend(["diff", "--detailed-exitcode"] + input)
                #expect(settled.status == 0, "\(settled)")
                #expect(!settled.stdout.contains(gone.name), "\(settled)")
            }
        }
    }
}
