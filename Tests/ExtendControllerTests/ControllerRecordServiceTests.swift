import ExtendCore
import ExtendKube
import Logging
import Synchronization
import Testing
@testable import ExtendController

/// The controller service with its managed hosts record in a stand-in store:
/// the record is written before the first run, a write that lost a race
/// reads the record again (and cleans what the other writer recorded), and
/// hosts that left the inventory leave the record once removed.
@Suite struct ControllerRecordServiceTests {
    /// A store whose first write loses a race: someone else recorded `intruder` meanwhile.
    final class RacedStore: ManagedHostsStore {
        struct State {
            var stored: StoredRecord
            var raced = false
            var log: [String] = []
        }
        let state: Mutex<State>
        let intruder: ManagedHost

        init(_ initial: StoredRecord, intruder: ManagedHost) {
            state = Mutex(State(stored: initial))
            self.intruder = intruder
        }

        var name: String { "ConfigMap test/record" }

        func read() async throws(ControllerError) -> StoredRecord? {
            state.withLock {
                $0.log.append("read")
                return $0.stored
            }
        }

        func write(_ record: ManagedHostsRecord, over resourceVersion: String?) async throws(ControllerError) -> String {
            try state.withLock { (s: inout State) throws(ControllerError) -> String in
                if !s.raced {
                    s.raced = true
                    s.stored = StoredRecord(record: ManagedHostsRecord(hosts: s.stored.record.hosts + [intruder]), resourceVersion: "2")
                }
                guard resourceVersion == s.stored.resourceVersion else {
                    s.log.append("conflict")
                    throw ControllerError(.api(.conflict), "changed since read")
                }
                let version = String(Int(s.stored.resourceVersion ?? "0")! + 1)
                s.stored = StoredRecord(record: record, resourceVersion: version)
                s.log.append("write " + record.names.joined(separator: ","))
                return version
            }
        }
    }

    /// Runs succeed at once; each start is logged beside the store's steps.
    struct Runner: HostRunner {
        let store: RacedStore
        func run(_ run: ControllerEngine.Run) async -> HostResult {
            store.state.withLock { $0.log.append("\(run.kind == .remove ? "remove" : "converge") \(run.host.name)") }
            return HostResult(host: run.host.name, outcome: .changed, message: "host \(run.host.name): done", duration: .zero)
        }
    }

    static func retired(_ name: String, _ ip: String) -> ManagedHost {
        var ssh = SSHSettings()
        ssh.address = ip
        return ManagedHost(name: name, addresses: [IPAddress(ip)!], ssh: ssh)
    }

    @Test func hostsAreRecordedBeforeTheirRunsALostRaceReadsAgainAndRemovedHostsLeaveTheRecord() async throws {
        let inventory = ControllerEngineTests.inventory
        let initial = StoredRecord(record: ManagedHostsRecord(hosts: [ManagedHost(inventory.hosts[0]), Self.retired("old", "198.18.1.20")]),
                                   resourceVersion: "1")
        let store = RacedStore(initial, intruder: Self.retired("intruder", "198.18.1.21"))
        let service = ControllerService(
            configuration: .init(inventoryPath: "/nonexistent/inventory.yaml", reconcile: ControllerEngineTests.settings,
                                 inventoryPoll: .seconds(3600), tick: .milliseconds(20)),
            inventory: inventory,
            cluster: { emit in
                await emit(.batch(InformerBatch(resource: .pods, changes: ControllerEngineTests.cluster, marker: .synced)))
                await emit(.synced)
                try? await Task.sleep(for: .seconds(3600))
            },
            runner: Runner(store: store), events: RecordedEvents(), status: ControllerStatus(), leadership: Leadership(leading: true),
            logger: Logger(label: "test.record"), record: store)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // It takes milliseconds; the margin is for a machine whose pool other tests hold.
        let deadline = ContinuousClock.now + .seconds(60)
        while store.state.withLock({ $0.stored.record.names }) != ["cache", "db"] && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = await task.result  // the service ends when cancelled: nothing runs on after the test
        let log = store.state.withLock { $0.log }
        #expect(store.state.withLock { $0.stored.record.names } == ["cache", "db"], "the removed hosts left the record: \(log)")
        #expect(Array(log.prefix(4)) == ["read", "conflict", "read", "write cache,db,intruder,old"],
                "read, lost a race, read again, then recorded every host before any run: \(log)")
        let runs = log.filter { $0.hasPrefix("converge") || $0.hasPrefix("remove") }
        #expect(Set(runs) == ["converge cache", "converge db", "remove old", "remove intruder"], "\(log)")
        #expect(runs.count == 4, "each once: \(log)")
    }
}
