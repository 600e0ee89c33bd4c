import Foundation
import LabSupport
import Testing

extension HostLabBacked {
    /// `extend doctor` on a real host: what source address the host sees
    /// from a pod, with the pod's traffic sent straight or through a router
    /// that masquerades it.
    @Suite("Doctor: the source address a host sees from a pod")
    struct Doctor {
        static func writeInputs(_ lab: Lab, db: LabHost, pods: [(name: String, address: String)]) throws -> [String] {
            var manifests = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: apps, labels: {team: web}}

                """
            for p in pods {
                manifests += """
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: \(p.name), namespace: apps, labels: {app: web}}
                    spec: {containers: [{name: web, image: web}]}
                    status: {phase: Running, podIP: \(p.address), podIPs: [{ip: \(p.address)}]}

                    """
            }
            // The database host as the retired-host tests list theirs (named after the lab host).
            let inventory = try RetiredHosts.writeInventory(lab, [db], persist: nil)
            let path = lab.path("cluster.yaml")
            guard FileManager.default.createFile(atPath: path, contents: Data(manifests.utf8)) else { throw LabError("cannot write \(path)") }
            return ["--inventory", inventory, "--manifests", path]
        }

        /// Connection attempts to `address:port` every 0.2 s for `seconds`, from `argv`'s namespace.
        static func knock(_ argv: [String], address: String, port: Int, seconds: Double) -> [String] {
            argv + [Traffic.python, "-c", """
                import socket, sys, time
                end = time.time() + float(sys.argv[3])
                while time.time() < end:
                    s = socket.socket(); s.settimeout(0.3)
                    try: s.connect((sys.argv[1], int(sys.argv[2])))
                    except Exception: pass
                    s.close(); time.sleep(0.2)
                """, address, String(port), String(seconds)]
        }

        struct Report: Decodable {
            struct Seen: Decodable {
                var address: String
                var owner: String?
                var isThePod: Bool
                var ports: [Int]
            }
            var verdict: String
            var seen: [Seen]
        }

        /// The doctor for `pod`, listening 4 s while `knocker` knocks.
        static func doctor(_ lab: Lab, _ input: [String], pod: String, knocker: [String]) async throws -> (ExtendBinary.Run, Report?) {
            async let knocked: LabCommandResult = offPool { try Lab.run(knocker) }
            let host = lab.hosts[0].name
            let run = try await offPool {
                try ExtendBinary.run(["doctor", "--host", host, "--from", pod, "--seconds", "4", "--output", "json"] + input,
                                     passphrase: nil, lab: lab)
            }
            _ = try await knocked
            return (run, try? JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)))
        }

        @Test("a pod that reaches the host directly is seen at its own address (exit 0); one behind a masquerading router is seen at the router's address, which the doctor says no pod or host has (exit 1); the doctor's own SSH session is not counted")
        func directAndMasqueraded() async throws {
            try #require(FileManager.default.isExecutableFile(atPath: ExtendBinary.path), "build first: swift build --build-tests")
            try Traffic.requirePython()
            try await Lab.withHosts(count: 3) { lab in
                let db = lab.hosts[0], direct = lab.hosts[1], router = lab.hosts[2]
                let natted = try lab.addClient(behind: router, masquerade: true)
                let input = try Self.writeInputs(lab, db: db, pods: [("web-direct", direct.address), ("web-natted", natted.address)])

                let (run, report) = try await Self.doctor(lab, input, pod: "apps/web-direct", knocker:
                    Self.knock([Traffic.ip, "netns", "exec", direct.netns], address: db.address, port: 5432, seconds: 6))
                #expect(run.status == 0, "\(run)")
                #expect(report?.verdict == "direct", "\(run)")
                let mine = report?.seen.first { $0.address == direct.address }
                #expect(mine?.isThePod == true && mine?.ports == [5432], "\(run)")
                #expect(report?.seen.contains { $0.address == lab.managementAddress } == false, "the doctor's own session was counted: \(run)")

                let (nattedRun, nattedReport) = try await Self.doctor(lab, input, pod: "apps/web-natted", knocker:
                    Self.knock([Traffic.ip, "netns", "exec", natted.netns], address: db.address, port: 5432, seconds: 6))
                #expect(nattedRun.status == 1, "\(nattedRun)")
                #expect(nattedReport?.verdict == "translated", "\(nattedRun)")
                let seen = nattedReport?.seen ?? []
                #expect(seen.contains { $0.address == router.address && $0.owner == nil && !$0.isThePod }, "\(nattedRun)")
                #expect(!seen.contains { $0.address == natted.address }, "\(nattedRun)")

                // The text report names what the host saw instead.
                let text = try await offPool {
                    try ExtendBinary.run(["doctor", "--host", db.name, "--from", "apps/web-natted", "--seconds", "1"] + input,
                                         passphrase: nil, lab: lab)
                }
                #expect(text.status == 1 && text.stdout.contains("saw nothing from apps/web-natted"), "\(text)")
            }
        }
    }
}
