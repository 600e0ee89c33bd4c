import ExtendCore
import ExtendKube
import Foundation
import Testing
@testable import ExtendController

/// The managed hosts record as the controller keeps it: every host recorded
/// before its first run, a host dropped only once its removal succeeded,
/// hosts that left the inventory while no controller ran found at the next
/// start; and the ConfigMap that holds it, ours or not.
@Suite struct RecordBookTests {
    static func host(_ name: String, _ ip: String, port: Int = 22) -> LegacyHost {
        var ssh = SSHSettings()
        ssh.port = port
        return LegacyHost(name: name, namespace: "legacy", addresses: [IPAddress(ip)!], ssh: ssh)
    }

    static let db = host("db", "198.18.1.10"), cache = host("cache", "198.18.1.11"), old = host("old", "198.18.1.12")

    @Test func aFirstStartRecordsEveryHostBeforeItsRunAndThenWritesNothingMore() {
        var book = RecordBook()
        #expect(book.next(recording: [Self.db]) == nil, "nothing is written before the record is read")
        let plan = book.loaded(nil, inventory: [Self.db, Self.cache])
        #expect(plan.retired.isEmpty && plan.collisions.isEmpty)
        let next = book.next(recording: [Self.db, Self.cache])
        #expect(next?.names == ["cache", "db"])
        book.wrote(next!, resourceVersion: "7")
        #expect(book.stored?.resourceVersion == "7")
        #expect(book.next(recording: [Self.db, Self.cache]) == nil, "already recorded: no write")
        // Its SSH settings change: recorded again, so a later cleanup reaches it where it is.
        let moved = Self.host("db", "198.18.1.10", port: 2222)
        #expect(book.next(recording: [moved])?.host(named: "db")?.ssh.port == 2222)
    }

    @Test func aFirstRolloutRecordsTheWholeInventoryInOneWriteAndLaterRunStartsWriteNothing() {
        var book = RecordBook()
        let fleet = (0..<50).map { Self.host("h\($0)", "198.18.2.\($0 + 1)") }
        _ = book.loaded(nil, inventory: fleet)
        var writes = 0
        // Runs start a few at a time, as the reconcile loop's concurrency allows.
        for start in stride(from: 0, to: fleet.count, by: 4) {
            let starting = Array(fleet[start..<min(fleet.count, start + 4)])
            if let next = book.next(recording: starting, inventory: fleet) {
                writes += 1
                book.wrote(next, resourceVersion: "\(writes)")
            }
            #expect(starting.allSatisfy { book.stored?.record.host(named: $0.name) == ManagedHost($0) }, "recorded before its run")
        }
        #expect(writes == 1)
        #expect(book.stored?.record.names == fleet.map(\.name).sorted())
        // A host added to the inventory later: one more write, before its run.
        let added = Self.host("late", "198.18.2.200")
        #expect(book.next(recording: [added], inventory: fleet + [added])?.host(named: "late") == ManagedHost(added))
    }

    @Test func aHostThatLeftTheInventoryIsRemovedAndDroppedOnlyOnceItsRemovalSucceeded() {
        var book = RecordBook()
        let stored = StoredRecord(record: ManagedHostsRecord(hosts: [Self.db, Self.old].map(ManagedHost.init)), resourceVersion: "3")
        let plan = book.loaded(stored, inventory: [Self.db])
        #expect(plan.retired.map(\.name) == ["old"], "left the inventory while no controller ran")
        #expect(book.next(recording: [Self.db]) == nil, "kept while its removal has not succeeded")
        #expect(book.next(recording: [Self.old]) == nil, "its removal run needs no write: it is recorded")
        book.drop("old")
        #expect(book.hasDrops)
        let next = book.next(recording: [])
        #expect(next?.names == ["db"])
        book.wrote(next!, resourceVersion: "4")
        #expect(!book.hasDrops && book.next(recording: [Self.db]) == nil)
    }

    @Test func aRecordedHostThatLooksLikeAListedOneIsNeverCleanedButDropped() {
        var book = RecordBook()
        // Renamed: same address, another name.
        let renamed = Self.host("db-renamed", "198.18.1.10")
        let stored = StoredRecord(record: ManagedHostsRecord(hosts: [ManagedHost(Self.db)]), resourceVersion: "3")
        let plan = book.loaded(stored, inventory: [renamed])
        #expect(plan.retired.isEmpty)
        #expect(plan.collisions.map(\.listed) == ["db-renamed"])
        #expect(book.next(recording: [renamed])?.names == ["db-renamed"])
    }

    @Test func unloadingForgetsWhatWasRead() {
        var book = RecordBook()
        _ = book.loaded(nil, inventory: [])
        book.drop("x")
        book.unload()
        #expect(!book.isLoaded && !book.hasDrops && book.next(recording: [Self.db]) == nil)
    }

    // MARK: The ConfigMap

    static func configMap(labels: [String: String]?, data: [String: String]?) throws -> ConfigMapObject {
        var meta: [String: Any] = ["name": "netpol-extend-managed-hosts", "namespace": "ops", "resourceVersion": "12"]
        if let labels { meta["labels"] = labels }
        var object: [String: Any] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta]
        if let data { object["data"] = data }
        return try JSONDecoder().decode(ConfigMapObject.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static let name = "ConfigMap ops/netpol-extend-managed-hosts"
    static let ours = ["app.kubernetes.io/managed-by": "netpol-extend"]

    @Test func theConfigMapWeWriteReadsBackAsTheSameRecordAndIsLabelledOurs() throws {
        let record = ManagedHostsRecord(hosts: [Self.db, Self.old].map(ManagedHost.init))
        let body = ConfigMapObject(namespace: "ops", name: "netpol-extend-managed-hosts", record: record, resourceVersion: "12")
        let json = String(decoding: try APIClient.json(body), as: UTF8.self)
        #expect(json.contains(#""labels":{"app.kubernetes.io/managed-by":"netpol-extend"}"#), "\(json)")
        #expect(json.contains(#""resourceVersion":"12""#), "the write is conditional on what was read: \(json)")
        let read = try ManagedHostsConfigMap.record(in: JSONDecoder().decode(ConfigMapObject.self, from: APIClient.json(body)), name: Self.name)
        #expect(read == StoredRecord(record: record, resourceVersion: "12"))
        let create = ConfigMapObject(namespace: "ops", name: "netpol-extend-managed-hosts", record: record, resourceVersion: nil)
        #expect(!String(decoding: try APIClient.json(create), as: UTF8.self).contains("resourceVersion"), "a create carries none")
    }

    @Test func aConfigMapWithoutOurLabelIsSomeoneElsesAndNotUsed() throws {
        let foreign = try Self.configMap(labels: ["app": "billing"], data: ["hosts.json": "{}"])
        #expect {
            try ManagedHostsConfigMap.record(in: foreign, name: Self.name)
        } throws: { error in
            let e = error as? ControllerError
            return e?.kind == .foreignRecord && e?.message.contains("ConfigMap ops/netpol-extend-managed-hosts exists but is not labelled app.kubernetes.io/managed-by=netpol-extend") == true
                && e?.message.contains("--managed-hosts-configmap") == true
        }
    }

    @Test(arguments: [
        (nil, "has no hosts.json"),
        (#"{"apiVersion": "netpol-extend/v1", "kind": "ManagedHosts", "hosts": [{"name": "db"}]}"#, "hosts.json:1:"),
        ("not json at all: [", "cannot be used"),
    ] as [(String?, String)])
    func anUnreadableRecordIsReportedWithWhereItIsWrong(text: String?, says: String) throws {
        let object = try Self.configMap(labels: Self.ours, data: text.map { ["hosts.json": $0] } ?? ["other": "x"])
        #expect {
            try ManagedHostsConfigMap.record(in: object, name: Self.name)
        } throws: { error in
            let e = error as? ControllerError
            return e?.kind == .unreadableRecord && e?.message.contains(says) == true && e?.message.contains(Self.name) == true
        }
    }
}
