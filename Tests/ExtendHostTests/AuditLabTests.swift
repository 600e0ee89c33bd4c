import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// `extend audit` against real hosts and real traffic: a database in audit
    /// mode (shell access) and an api host (restricted access), then the
    /// database enforced.
    @Suite("extend audit: the counters of real traffic")
    struct Audit {
        /// db admits the api on 5432 (ingress); api may reach db on 5432, and a
        /// network nothing in the lab uses (egress rule 1: admits nothing).
        static let policies = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: \(labNamespace)}
            spec:
              podSelector: {matchLabels: {role: db}}
              policyTypes: [Ingress]
              ingress:
              - from: [{podSelector: {matchLabels: {role: api}}}]
                ports: [{port: 5432, protocol: TCP}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api, namespace: \(labNamespace)}
            spec:
              podSelector: {matchLabels: {role: api}}
              policyTypes: [Egress]
              egress:
              - to: [{podSelector: {matchLabels: {role: db}}}]
                ports: [{port: 5432, protocol: TCP}]
              - to: [{ipBlock: {cidr: 198.19.250.0/24}}]

            """

        /// db (shell, `dbMode`), api (restricted, audit), client (no policy selects it), and optionally a host nobody answers for.
        static func writeInventory(_ lab: Lab, key: LabKey, dbMode: String, gone: Bool = false) throws -> String {
            let (db, api, client) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
            var text = """
                apiVersion: netpol-extend/v1
                kind: Inventory
                namespaces:
                  - name: \(labNamespace)
                defaults:
                  ssh: {user: \(lab.user), port: \(db.port), identityFile: \(lab.clientKey.path), knownHostsFile: \(lab.knownHostsPath), connectTimeoutSeconds: 5}
                  management: [\(lab.managementAddress)/32]
                  enforcement: audit
                hosts:
                  - {name: \(db.name), namespace: \(labNamespace), labels: {role: db}, addresses: [\(db.address)], enforcement: \(dbMode), logDrops: true}
                  - {name: \(api.name), namespace: \(labNamespace), labels: {role: api}, addresses: [\(api.address)], ssh: {mode: restricted, user: \(RestrictedMode.user), identityFile: \(key.path)}}
                  - {name: \(client.name), namespace: \(labNamespace), labels: {role: client}, addresses: [\(client.address)]}

                """
            if gone { text += "  - {name: gone, namespace: \(labNamespace), addresses: [\(lab.unusedAddress)]}\n" }
            let path = lab.path("audit-inventory.yaml")
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw LabError("cannot write \(path)") }
            return path
        }

        /// `extend audit --output json` as the contract spells it.
        struct Document: Decodable {
            struct Host: Decodable {
                var name: String
                var enforcement: String?
                var denied: [Denied]?
                var allowed: [Allowed]?
                var error: String?
            }
            struct Denied: Decodable, Equatable {
                var direction: String
                var policies: [String]
                var packets: UInt64
            }
            struct Allowed: Decodable, Equatable {
                var direction: String
                var policy: String
                var rule: Int
                var packets: UInt64
            }
            var hosts: [Host]

            func host(_ name: String) throws -> Host {
                try #require(hosts.first { $0.name == name }, "no host \(name) in \(hosts.map(\.name))")
            }
        }

        /// Decodes the document, and checks it holds only the contract's keys.
        static func decode(_ run: ExtendBinary.Run) throws -> Document {
            let data = Data(run.stdout.utf8)
            let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(run)")
            #expect(Set(raw.keys) == ["hosts"])
            for h in raw["hosts"] as? [[String: Any]] ?? [] {
                #expect(Set(h.keys).isSubset(of: ["name", "enforcement", "denied", "allowed", "error"]), "\(h.keys)")
                for d in h["denied"] as? [[String: Any]] ?? [] { #expect(Set(d.keys) == ["direction", "policies", "packets"]) }
                for a in h["allowed"] as? [[String: Any]] ?? [] { #expect(Set(a.keys) == ["direction", "policy", "rule", "packets"]) }
            }
            return try JSONDecoder().decode(Document.self, from: data)
        }

        /// A network namespace's LOG rules reach the kernel log only with this set in the init namespace.
        static let logAllNetns = "/proc/sys/net/netfilter/nf_log_all_netns"

        @Test("audit mode: denied connections still connect and are counted against the right policy, direction and host, admitted ones against their rule, the kernel log's flows shown; --reset zeroes; after enforcing, the same connections drop and audit reports the drops; an unreachable host is reported with exit 1, the others still are")
        func auditThenEnforce() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            let logWas = try String(contentsOfFile: Self.logAllNetns, encoding: .utf8)
            try "1\n".write(toFile: Self.logAllNetns, atomically: false, encoding: .utf8)
            defer { try? logWas.write(toFile: Self.logAllNetns, atomically: false, encoding: .utf8) }
            try await Lab.withHosts(count: 3) { lab in
                let (db, api, client) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
                // NPX_AUDIT_TRANSCRIPT=FILE: every run's command line and output appended there (docs/rollout.md quotes one).
                let transcript = ProcessInfo.processInfo.environment["NPX_AUDIT_TRANSCRIPT"]
                func extend(_ arguments: [String]) async throws -> ExtendBinary.Run {
                    let run = try await offPool { try ExtendBinary.run(arguments, passphrase: nil, lab: lab) }
                    if let transcript, let h = FileHandle(forWritingAtPath: transcript) ?? {
                        FileManager.default.createFile(atPath: transcript, contents: nil) ? FileHandle(forWritingAtPath: transcript) : nil }() {
                        h.seekToEndOfFile()
                        h.write(Data(("$ extend " + arguments.joined(separator: " ") + "\n" + run.stdout + run.stderr + "(exit \(run.status))\n\n").utf8))
                        try? h.close()
                    }
                    return run
                }
                func connects(_ from: LabHost, _ port: Int) async throws -> Bool {
                    try await offPool { try lab.canConnect(from: from, to: db.address, port: port) }
                }
                let key = try await offPool { try lab.restrict(api) }.key
                let listeners = try Listeners(in: [db.netns], ports: [5432, 6000], logDirectory: lab.directory)
                defer { listeners.stop() }
                let policies = lab.path("policies.yaml")
                try Data(Self.policies.utf8).write(to: URL(fileURLWithPath: policies))
                let inventory = try Self.writeInventory(lab, key: key, dbMode: "audit")
                let input = ["--inventory", inventory, "--manifests", policies]

                let applied = try await extend(["apply", "--rollback-after", "30"] + input)
                #expect(applied.status == 0, "\(applied)")

                // Audit: what the policies deny still connects.
                for _ in 0..<3 { #expect(try await connects(api, 5432), "api -> db:5432 is admitted") }
                for _ in 0..<2 { #expect(try await connects(client, 5432), "audit mode lets client -> db:5432 through") }
                for _ in 0..<2 { #expect(try await connects(api, 6000), "audit mode lets api -> db:6000 through") }

                let audited = try await extend(["audit", "--output", "json"] + input)
                #expect(audited.status == 0, "\(audited)")
                let doc = try Self.decode(audited)
                #expect(doc.hosts.map(\.name) == [db.name, api.name, client.name])
                let dbHost = try doc.host(db.name), apiHost = try doc.host(api.name), clientHost = try doc.host(client.name)
                #expect(dbHost.enforcement == "audit" && apiHost.enforcement == "audit", "\(audited)")
                // Only a connection's first packet reaches the policy rules (established ones are admitted before).
                #expect(dbHost.denied == [.init(direction: "ingress", policies: ["lab/db"], packets: 4)], "\(audited)")
                #expect(dbHost.allowed == [.init(direction: "ingress", policy: "lab/db", rule: 0, packets: 3)], "\(audited)")
                let apiDenied = try #require(apiHost.denied?.first, "\(audited)")
                #expect(apiHost.denied?.count == 1 && apiDenied.direction == "egress" && apiDenied.policies == ["lab/api"], "\(audited)")
                #expect(apiDenied.packets >= 2, "api -> db:6000, twice: \(audited)")
                #expect(apiHost.allowed == [.init(direction: "egress", policy: "lab/api", rule: 0, packets: 3),
                                            .init(direction: "egress", policy: "lab/api", rule: 1, packets: 0)], "\(audited)")
                #expect(clientHost.enforcement == "audit" && clientHost.denied == [] && clientHost.allowed == [], "\(audited)")

                let text = try await extend(["audit"] + input)
                #expect(text.status == 0, "\(text)")
                #expect(text.stdout.contains("\(db.name) (ssh.mode shell, enforcement audit): would have dropped 4 packets\n"), "\(text)")
                #expect(text.stdout.contains("\(api.name) (ssh.mode restricted, enforcement audit): would have dropped"), "\(text)")
                #expect(text.stdout.contains("    ingress  4 packets   isolated by lab/db\n"), "\(text)")
                #expect(text.stdout.contains("  admitted nothing (candidates for tightening):\n    lab/api egress rule 1\n"), "\(text)")
                #expect(text.stdout.contains("\(client.name) (ssh.mode shell, enforcement audit): holds no rules of ours"), "\(text)")
                // logDrops: the kernel log's last denied flows, decoded; the last one becomes the explain line.
                #expect(text.stdout.contains("  last denied flows (kernel log, dmesg; at most 6 a minute are logged):\n"), "\(text)")
                #expect(text.stdout.contains("    ingress \(client.address) -> \(db.address) TCP port 5432 (isolated by lab/db)\n"), "\(text)")
                #expect(text.stdout.contains("    ingress \(api.address) -> \(db.address) TCP port 6000 (isolated by lab/db)\n"), "\(text)")
                let last = text.stdout.split(separator: "\n").last.map(String.init) ?? ""
                #expect(last.hasPrefix("2 hosts in audit mode would have dropped \(4 + apiDenied.packets) packets; run `extend explain` on \(db.name) ingress first (4 packets, isolated by lab/db): extend explain --inventory \(inventory) --manifests \(policies) --from lab/\(api.name) --to lab/\(db.name) --port 6000 --protocol TCP"), "\(last)")

                // --reset: reports what it zeroed; the next read starts from zero.
                let reset = try Self.decode(try await extend(["audit", "--reset", "--output", "json"] + input))
                #expect(try reset.host(db.name).denied == dbHost.denied)
                #expect(try reset.host(db.name).allowed == dbHost.allowed)
                let zeroed = try Self.decode(try await extend(["audit", "--output", "json"] + input))
                #expect(try zeroed.host(db.name).denied == [.init(direction: "ingress", policies: ["lab/db"], packets: 0)])
                #expect(try zeroed.host(db.name).allowed == [.init(direction: "ingress", policy: "lab/db", rule: 0, packets: 0)])
                #expect(try zeroed.host(api.name).allowed?.map(\.packets) == [0, 0])

                // One admitted connection counted before the switch: the policy's chain is not reloaded, so it stays counted.
                #expect(try await connects(api, 5432))

                // Enforce the database: a pending change, then the same connections drop, admitted ones pass.
                _ = try Self.writeInventory(lab, key: key, dbMode: "enforce")
                let pending = try await extend(["diff", "--detailed-exitcode"] + input)
                #expect(pending.status == 2, "\(pending)")
                let enforced = try await extend(["apply", "--rollback-after", "30"] + input)
                #expect(enforced.status == 0, "\(enforced)")
                #expect(try await connects(api, 5432), "still admitted")
                #expect(!(try await connects(client, 5432)), "enforce mode drops client -> db:5432")
                let after = try Self.decode(try await extend(["audit", "--output", "json"] + input))
                let dbAfter = try after.host(db.name)
                #expect(dbAfter.enforcement == "enforce")
                #expect(dbAfter.denied?.count == 1 && (dbAfter.denied?.first?.packets ?? 0) >= 1, "\(dbAfter)")
                #expect(dbAfter.allowed == [.init(direction: "ingress", policy: "lab/db", rule: 0, packets: 2)], "counted across the switch: \(dbAfter)")
                let afterText = try await extend(["audit"] + input)
                #expect(afterText.stdout.contains("\(db.name) (ssh.mode shell, enforcement enforce): dropped "), "\(afterText)")
                #expect(afterText.stdout.contains("1 host in enforce mode dropped "), "\(afterText)")

                // A host nobody answers for: reported, exit 1, the others still reported.
                _ = try Self.writeInventory(lab, key: key, dbMode: "enforce", gone: true)
                let partial = try await extend(["audit", "--output", "json"] + input)
                #expect(partial.status == 1, "\(partial)")
                let withGone = try Self.decode(partial)
                #expect(withGone.hosts.map(\.name) == [db.name, api.name, client.name, "gone"].sorted(), "by name, as every report")
                let gone = try withGone.host("gone")
                #expect(gone.error?.contains(lab.unusedAddress) == true && gone.denied == nil && gone.enforcement == nil, "\(partial)")
                #expect(try withGone.host(db.name).enforcement == "enforce" && withGone.host(db.name).error == nil)
                let partialText = try await extend(["audit"] + input)
                #expect(partialText.status == 1)
                #expect(partialText.stdout.contains("gone (ssh.mode shell): cannot be read: "), "\(partialText)")
                #expect(partialText.stdout.contains("1 host could not be read (gone)"), "\(partialText)")
            }
        }
    }
}
