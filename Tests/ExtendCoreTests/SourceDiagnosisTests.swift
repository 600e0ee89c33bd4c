import ExtendCore
import Testing

/// `extend doctor`'s verdict: from the sources a host saw, does it see the pod at the pod's own address?
@Suite("Source diagnosis")
struct SourceDiagnosisTests {
    static let world: World = {
        let cluster = ClusterState(
            namespaces: [Namespace(name: "apps")],
            pods: [Pod(namespace: "apps", name: "web", ips: [IPAddress("10.0.0.5")!, IPAddress("fd00::5")!]),
                   Pod(namespace: "apps", name: "api", ips: [IPAddress("10.0.0.6")!])])
        let db = LegacyHost(name: "db", namespace: "apps", addresses: [IPAddress("198.18.0.10")!])
        return World.build(cluster: cluster, inventory: Inventory(hosts: [db], source: "inv")).0
    }()

    static func diagnose(_ seen: [(String, Int, [Int])]) -> SourceDiagnosis {
        let web = world.workload(ref: "apps/web")!
        return SourceDiagnosis.diagnose(pod: web, host: "db", observed: seen.map {
            ObservedSource(address: IPAddress($0.0)!, packets: $0.1, ports: $0.2)
        }, world: world)
    }

    @Test("the pod's own address (either family) seen: direct, whatever else arrived")
    func direct() {
        let d = Self.diagnose([("198.19.9.9", 3, [22]), ("fd00::5", 2, [5432]), ("10.0.0.6", 1, [5432])])
        #expect(d.verdict == .direct)
        #expect(d.seen.map(\.source.address.description) == ["10.0.0.6", "198.19.9.9", "fd00::5"])
        #expect(d.seen.first { $0.isThePod }?.source.ports == [5432])
        #expect(d.seen.first { $0.source.address.description == "10.0.0.6" }?.owner == "pod apps/api")
        #expect(d.summary.contains("sees apps/web at its own address (10.0.0.5, fd00::5)"))
    }

    @Test("only an address no pod or host has: translated, and the summary names it and where to look")
    func translated() {
        let d = Self.diagnose([("198.19.0.1", 2, [5432]), ("198.19.0.1", 1, [443]), ("10.0.0.6", 1, [5432])])
        #expect(d.verdict == .translated)
        #expect(d.seen.first { $0.source.address.description == "198.19.0.1" }.map { ($0.source.packets, $0.source.ports, $0.owner) }
            .map { $0 == 3 && $1 == [443, 5432] && $2 == nil } == true)
        #expect(d.summary.contains("but at 198.19.0.1, which no pod or host has"))
        #expect(d.summary.contains("docs/both-directions.md"))
    }

    @Test("nothing, or only other pods and hosts: nothing seen from this pod, and the user is told to send traffic while it listens")
    func nothingSeen() {
        #expect(Self.diagnose([]).verdict == .nothingSeen)
        let d = Self.diagnose([("10.0.0.6", 4, [5432]), ("198.18.0.10", 1, [])])
        #expect(d.verdict == .nothingSeen)
        #expect(d.seen.map(\.owner) == ["pod apps/api", "host db"])
        #expect(d.summary.contains("saw nothing from apps/web"))
    }
}
