import ExtendController
import ExtendCore
import Testing

/// The controller's engine without I/O: the sync, changes reaching only the
/// hosts they change, inventory edits, removals, and leadership.
@Suite struct ControllerEngineTests {
    static let settings = ReconcileSettings(minInterval: .zero, retryBase: .seconds(1), retryCap: .seconds(4),
                                            resyncInterval: .seconds(3600), concurrency: 8)

    static func host(_ name: String, app: String, _ ip: String) -> LegacyHost {
        LegacyHost(name: name, namespace: "legacy", labels: ["app": app], addresses: [IPAddress(ip)!],
                   ports: [NamedPort(name: "pg", port: 5432, proto: .tcp)])
    }

    static let inventory = Inventory(namespaces: [Namespace(name: "legacy", labels: ["zone": "dc"], virtual: true)],
                                     hosts: [host("db", app: "db", "198.18.1.10"), host("cache", app: "cache", "198.18.1.11")])

    static let cluster: [ClusterChange] = [
        .namespace(Namespace(name: "live", labels: ["env": "live"])),
        .pod(Pod(namespace: "live", name: "web-1", labels: ["app": "web"], ips: [IPAddress("10.0.0.1")!])),
        .policy(NetworkPolicy(namespace: "legacy", name: "db", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                              policyTypes: [.ingress],
                              ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]),
                                                                 namespaceSelector: LabelSelector(matchLabels: ["env": "live"]))])])),
    ]

    /// Runs until quiet: every run succeeds at once. Returns the runs, by host.
    static func settle(_ e: ControllerEngine, _ runs: [ControllerEngine.Run], now: Duration) -> [ControllerEngine.Run] {
        var all: [ControllerEngine.Run] = []
        var pending = runs
        while let r = pending.popLast() {
            all.append(r)
            pending += e.handle(.hostDone(r.host.name, succeeded: true), now: now)
        }
        return all.sorted { $0.host.name < $1.host.name }
    }

    static func synced() -> ControllerEngine {
        let e = ControllerEngine(inventory: inventory, settings: settings)
        #expect(e.handle(.cluster(cluster), now: .zero).isEmpty, "nothing runs before the sync")
        let first = settle(e, e.handle(.synced, now: .zero), now: .zero)
        #expect(first.map(\.host.name) == ["cache", "db"], "every host once at the sync")
        #expect(first.first { $0.host.name == "cache" }?.desired.needsNothing == true)
        #expect(first.first { $0.host.name == "db" }?.desired.sets.contains { $0.members.map(\.description) == ["10.0.0.1"] } == true)
        #expect(e.firstReconcileDone)
        return e
    }

    @Test func aPodChangeRunsOnlyTheHostsItChanges() {
        let e = Self.synced()
        let runs = Self.settle(e, e.handle(.cluster([.pod(Pod(namespace: "live", name: "web-2", labels: ["app": "web"],
                                                              ips: [IPAddress("10.0.0.2")!]))]), now: .seconds(1)), now: .seconds(1))
        #expect(runs.map(\.host.name) == ["db"])
        #expect(runs.first?.desired.sets.contains { $0.members.map(\.description) == ["10.0.0.1", "10.0.0.2"] } == true)
        let none = e.handle(.cluster([.pod(Pod(namespace: "live", name: "batch", labels: ["app": "batch"], ips: [IPAddress("10.0.0.9")!]))]),
                            now: .seconds(2))
        #expect(none.isEmpty, "a pod no policy picks changes no host")
    }

    @Test func inventoryEditsAddChangeAndRemoveHosts() {
        let e = Self.synced()
        var inv = Self.inventory
        inv.hosts[1].labels = ["app": "db"]  // cache becomes a db: the policy isolates it now
        inv.hosts.append(Self.host("db2", app: "db", "198.18.1.12"))
        var runs = Self.settle(e, e.handle(.inventory(inv), now: .seconds(1)), now: .seconds(1))
        #expect(runs.map(\.host.name) == ["cache", "db2"])
        #expect(runs.allSatisfy { !$0.desired.needsNothing && $0.kind == .converge })
        inv.hosts.removeAll { $0.name == "db" }
        runs = Self.settle(e, e.handle(.inventory(inv), now: .seconds(2)), now: .seconds(2))
        #expect(runs.map(\.host.name) == ["db"])
        #expect(runs.first?.kind == .remove && runs.first?.desired.needsNothing == true)
        #expect(runs.first?.host.addresses == [IPAddress("198.18.1.10")!], "removed with the settings it had")
        #expect(e.hostNames == ["cache", "db2"], "forgotten once removed")
    }

    @Test func aFailedRemovalIsRetried() {
        let e = Self.synced()
        var inv = Self.inventory
        inv.hosts.removeAll { $0.name == "db" }
        let first = e.handle(.inventory(inv), now: .seconds(1))
        #expect(first.map(\.kind) == [.remove])
        #expect(e.handle(.hostDone("db", succeeded: false), now: .seconds(1)).isEmpty)
        let retry = e.handle(.tick, now: .seconds(3))
        #expect(retry.map(\.kind) == [.remove] && retry.first?.host.name == "db")
    }

    @Test func aStandbyIsReadyOnlyAfterItRunsEveryHostAsLeader() {
        let e = ControllerEngine(inventory: Self.inventory, settings: Self.settings)
        _ = e.handle(.cluster(Self.cluster), now: .zero)
        // As a standby: runs are skipped, not done.
        for r in e.handle(.synced, now: .zero) { _ = e.handle(.skipped(r.host.name), now: .zero) }
        let takeover = e.handle(.runAll, now: .seconds(5))
        #expect(takeover.map(\.host.name).sorted() == ["cache", "db"])
        #expect(!e.firstReconcileDone, "not ready until the new leader's runs succeed")
        _ = Self.settle(e, takeover, now: .seconds(5))
        #expect(e.firstReconcileDone)
    }

    @Test func anInventoryNamespaceRelabelRebuildsAndRunsEveryHost() {
        let e = Self.synced()
        var inv = Self.inventory
        inv.namespaces[0].labels = ["zone": "cloud"]
        let runs = Self.settle(e, e.handle(.inventory(inv), now: .seconds(1)), now: .seconds(1))
        #expect(runs.map(\.host.name) == ["cache", "db"])
    }

    @Test func aHostTheRecordListsButTheInventoryNoLongerDoesIsRemovedThenForgotten() {
        let e = Self.synced()
        var ssh = SSHSettings()
        ssh.address = "198.18.1.20"
        ssh.port = 2222
        let gone = ManagedHost(name: "old-db", addresses: [IPAddress("198.18.1.20")!], ssh: ssh)
        let listed = ManagedHost(Self.inventory.hosts[0])
        let runs = e.handle(.retired([gone, listed]), now: .seconds(1))
        #expect(runs.map(\.host.name) == ["old-db"], "a listed host is never removed")
        #expect(runs.first?.kind == .remove && runs.first?.desired.needsNothing == true)
        #expect(runs.first?.host.ssh.port == 2222 && runs.first?.host.connectAddress == "198.18.1.20", "reached as recorded")
        #expect(e.handle(.retired([gone]), now: .seconds(1)).isEmpty, "not run twice at once")
        _ = e.handle(.hostDone("old-db", succeeded: true), now: .seconds(1))
        #expect(e.state(of: "old-db") == nil && e.hostNames == ["cache", "db"], "forgotten once removed")
    }
}
