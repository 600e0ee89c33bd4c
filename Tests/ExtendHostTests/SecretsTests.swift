import ExtendCore
import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// The key passphrase comes in through EXTEND_SSH_KEY_PASSPHRASE and goes
    /// nowhere else: not to stdout, not to stderr, not with --verbose, not in
    /// JSON, not when it is wrong.
    @Suite("Secrets in the CLI's output")
    struct Secrets {
        /// An inventory of one host reached with the lab's encrypted key, and a policy for it.
        static func writeInput(_ lab: Lab) throws -> [String] {
            let host = lab.hosts[0]
            let inventory = """
                apiVersion: netpol-extend/v1
                kind: Inventory
                namespaces:
                  - name: \(labNamespace)
                    labels: {env: lab}
                defaults:
                  ssh:
                    user: root
                    port: \(host.port)
                    identityFile: \(lab.encryptedClientKey.path)
                    knownHostsFile: \(lab.knownHostsPath)
                    connectTimeoutSeconds: 5
                  management: [\(lab.managementAddress)/32]
                hosts:
                  - name: \(host.name)
                    namespace: \(labNamespace)
                    labels: {role: vault}
                    addresses: [\(host.address)]

                """
            let policy = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: vault
                  namespace: \(labNamespace)
                spec:
                  podSelector:
                    matchLabels: {role: vault}
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - ipBlock: {cidr: 198.19.0.0/16, except: [198.19.1.0/24]}
                    ports:
                    - {port: 8200, protocol: TCP}

                """
            let inventoryPath = lab.path("inventory.yaml"), policyPath = lab.path("policy.yaml")
            guard FileManager.default.createFile(atPath: inventoryPath, contents: Data(inventory.utf8)),
                  FileManager.default.createFile(atPath: policyPath, contents: Data(policy.utf8)) else {
                throw LabError("cannot write the inventory and policy")
            }
            return ["--inventory", inventoryPath, "--manifests", policyPath]
        }

        @Test("with the right and a wrong passphrase, with --verbose and --output json, the passphrase is never printed; a wrong one is explained")
        func passphraseNeverPrinted() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try await Lab.withHosts(count: 1) { lab in
                let host = lab.hosts[0]
                let right = try #require(lab.encryptedClientKey.passphrase)
                let wrong = "not-" + String(right.reversed())
                let input = try Self.writeInput(lab)
                var runs: [(String, ExtendBinary.Run)] = []
                func run(_ what: String, _ arguments: [String], passphrase: String?) throws -> ExtendBinary.Run {
                    let r = try ExtendBinary.run(arguments + input, passphrase: passphrase, lab: lab)
                    runs.append((what, r))
                    return r
                }

                let pending = try run("diff before", ["diff", "--detailed-exitcode", "--verbose"], passphrase: right)
                #expect(pending.status == 2, "\(pending.output)")

                let applied = try run("apply --verbose", ["apply", "--rollback-after", "5", "--verbose"], passphrase: right)
                #expect(applied.status == 0, "\(applied.output)")
                #expect(applied.stdout.contains("applied"), "\(applied.stdout)")
                #expect(try HostState.read(lab, host).ours.contains("--dport 8200"))

                let json = try run("apply --output json", ["apply", "--output", "json", "--verbose"], passphrase: right)
                #expect(json.status == 0, "\(json.output)")
                let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
                let hosts = document?["hosts"] as? [[String: Any]]
                #expect(hosts?.count == 1)
                #expect(hosts?.first?["status"] as? String == "in-sync", "\(json.stdout)")

                let converged = try run("diff after", ["diff", "--detailed-exitcode", "--output", "json"], passphrase: right)
                #expect(converged.status == 0, "\(converged.output)")

                // A wrong passphrase: a clear failure naming the key file, in text and in JSON.
                let failed = try run("apply, wrong passphrase", ["apply", "--verbose"], passphrase: wrong)
                #expect(failed.status == 1)
                #expect(failed.output.contains(lab.encryptedClientKey.path), "\(failed.output)")
                #expect(failed.output.contains("passphrase"), "\(failed.output)")
                #expect(failed.output.contains("unreachable"), "\(failed.output)")

                let failedJSON = try run("diff --output json, wrong passphrase", ["diff", "--output", "json", "--verbose"], passphrase: wrong)
                #expect(failedJSON.status == 1)
                let failure = (try JSONSerialization.jsonObject(with: Data(failedJSON.stdout.utf8)) as? [String: Any])?["hosts"] as? [[String: Any]]
                #expect(failure?.first?["status"] as? String == "unreachable", "\(failedJSON.stdout)")
                #expect((failure?.first?["message"] as? String)?.contains("passphrase") == true, "\(failedJSON.stdout)")

                let none = try run("apply, no passphrase", ["apply", "--verbose"], passphrase: nil)
                #expect(none.status == 1)
                #expect(none.output.contains("no passphrase was given"), "\(none.output)")

                for (what, r) in runs {
                    #expect(!r.output.contains(right), "\(what) printed the passphrase")
                    #expect(!r.output.contains(wrong), "\(what) printed the wrong passphrase")
                    #expect(!r.output.contains("lab-passphrase-"), "\(what) printed part of the passphrase")
                }
            }
        }
    }
}
