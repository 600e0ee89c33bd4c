import ExtendController
import ExtendCore
import Logging
import Testing

/// The connection change log without a controller: it judges the world at
/// the sync, then logs what a burst of changes opens and closes as `extend
/// diff --connections` prints it (the same core), once per burst, and caps
/// what one comparison logs.
@Suite struct ConnectionChangeLogTests {
    static let live = Namespace(name: "live", labels: ["env": "live"])
    static let db = NetworkPolicy(namespace: "live", name: "db", podSelector: LabelSelector(matchLabels: ["app": "db"]),
                                  policyTypes: [.ingress],
                                  ingress: [.init(peers: [.workloads(podSelector: LabelSelector(matchLabels: ["app": "web"]),
                                                                     namespaceSelector: nil)])])

    static func pod(_ name: String, _ app: String, _ ip: String) -> Pod {
        Pod(namespace: "live", name: name, labels: ["app": app], ips: [IPAddress(ip)!])
    }

    static func world(_ pods: [Pod]) -> World {
        World.build(cluster: ClusterState(namespaces: [live], pods: pods, policies: [db]), inventory: Inventory()).0
    }

    /// Runs the log until `done` holds on what it logged (or a minute passes), then stops it.
    static func logged(_ settings: ConnectionChangeLog.Settings, offers: (ConnectionChangeLog) -> Void,
                       until done: @escaping @Sendable (String) -> Bool) async -> String {
        let captured = CapturedLog()
        let log = ConnectionChangeLog(settings: settings, logger: Logger(label: "test.connections") { _ in captured })
        let task = Task { await log.run() }
        offers(log)
        let deadline = ContinuousClock.now + .seconds(60)
        while !done(captured.text), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await task.value
        return captured.text
    }

    @Test func aBurstIsOneComparisonLoggedAsTheConnectionDiffPrintsIt() async {
        let w0 = Self.world([Self.pod("db-0", "db", "10.0.0.1"), Self.pod("web-0", "web", "10.0.0.2"), Self.pod("batch-0", "batch", "10.0.0.3")])
        // Two changes in one burst: batch-0 relabelled to web (opens), web-0 relabelled to batch (closes).
        let w1 = Self.world([Self.pod("db-0", "db", "10.0.0.1"), Self.pod("web-0", "web", "10.0.0.2"), Self.pod("batch-0", "web", "10.0.0.3")])
        let w2 = Self.world([Self.pod("db-0", "db", "10.0.0.1"), Self.pod("web-0", "batch", "10.0.0.2"), Self.pod("batch-0", "web", "10.0.0.3")])
        let text = await Self.logged(.init(settle: .milliseconds(300)), offers: { log in
            log.offer(w0, changes: 0)
            log.offer(w1, changes: 1)
            log.offer(w2, changes: 1)
        }, until: { $0.contains("connections: closed") })
        let expected = ConnectionDiff(current: w0, proposed: w2).changeLines
        #expect(expected == ["opened  live/batch-0 -> live/db-0  all ports  (labels of pod live/batch-0 changed)",
                             "closed  live/web-0 -> live/db-0  all ports  (labels of pod live/web-0 changed)"], "the core's lines: \(expected)")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("change(s), judged in") }.count == 1, "one comparison for the burst:\n\(text)")
        #expect(lines.contains { $0.hasPrefix("info: connections: 2 change(s), judged in") }, "\(text)")
        let changes = lines.filter { $0.hasPrefix("info: connections: opened") || $0.hasPrefix("info: connections: closed") }
        #expect(changes == expected.map { "info: connections: " + $0 }, "\(text)")
    }

    @Test func aComparisonLogsAtMostMaxLinesGroupsAndMaxMembersAndCountsTheRest() async {
        let w0 = Self.world([Self.pod("db-0", "db", "10.0.0.1")])
        // Three new web pods (admitted to db-0) and three of other apps (not): two groups, two classes of three.
        let w1 = Self.world([Self.pod("db-0", "db", "10.0.0.1")]
                            + (1...3).map { Self.pod("web-\($0)", "web", "10.0.1.\($0)") }
                            + (1...3).map { Self.pod("other-\($0)", "other\($0)", "10.0.2.\($0)") })
        let all = ConnectionDiff(current: w0, proposed: w1).changeLines
        #expect(all.count == 2, "two groups: \(all)")
        let text = await Self.logged(.init(settle: .milliseconds(50), maxLines: 1, maxMembers: 2), offers: { log in
            log.offer(w0, changes: 0)
            log.offer(w1, changes: 6)
        }, until: { $0.contains("more group(s)") })
        let changes = text.split(separator: "\n").filter { $0.hasPrefix("info: connections: opened") || $0.hasPrefix("info: connections: closed") }
        #expect(changes.map(String.init) == all.prefix(1).map { "info: connections: " + $0 }, "\(text)")
        #expect(text.contains("info: connections: … and 1 more group(s) of connections (extend diff --connections lists them all)"), "\(text)")
        #expect(text.contains("info: connections: c1: live/other-1, live/other-2, … (1 more)"), "\(text)")
    }
}
