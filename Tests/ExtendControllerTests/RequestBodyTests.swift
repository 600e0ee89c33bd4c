import ExtendKube
import Foundation
import Testing
@testable import ExtendController

/// The JSON we write, byte for byte: a Lease to create or update, an Event and its repeat's patch.
@Suite struct RequestBodyTests {
    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try APIClient.json(value), as: UTF8.self)
    }

    static let held = LeaseRecord(holderIdentity: "extend-7d9f-abc", leaseDurationSeconds: 15,
                                  acquireTime: "2026-12-06T09:20:00.000000Z", renewTime: "2026-12-06T09:20:04.500000Z",
                                  leaseTransitions: 2)

    @Test func leaseCreateHasNoResourceVersion() throws {
        let body = LeaseObject(namespace: "ops", name: "netpol-extend", record: Self.held, resourceVersion: nil)
        #expect(try Self.text(body) == #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"netpol-extend","namespace":"ops"},"spec":{"acquireTime":"2026-12-06T09:20:00.000000Z","holderIdentity":"extend-7d9f-abc","leaseDurationSeconds":15,"leaseTransitions":2,"renewTime":"2026-12-06T09:20:04.500000Z"}}"#)
    }

    @Test func leaseUpdateCarriesItsResourceVersionAndOmitsEmptyTimes() throws {
        var released = Self.held
        released.holderIdentity = ""
        released.acquireTime = ""
        let body = LeaseObject(namespace: "ops", name: "netpol-extend", record: released, resourceVersion: "42")
        #expect(try Self.text(body) == #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"netpol-extend","namespace":"ops","resourceVersion":"42"},"spec":{"holderIdentity":"","leaseDurationSeconds":15,"leaseTransitions":2,"renewTime":"2026-12-06T09:20:04.500000Z"}}"#)
    }

    @Test func leaseReadToleratesMissingFields() throws {
        let json = #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"x","namespace":"ops","resourceVersion":"7","uid":"u-1","creationTimestamp":"2026-12-06T09:20:00Z"},"spec":{}}"#
        let lease = try JSONDecoder().decode(LeaseObject.self, from: Data(json.utf8))
        #expect(lease.resourceVersion == "7")
        #expect(lease.record == LeaseRecord(holderIdentity: "", leaseDurationSeconds: 0, acquireTime: "", renewTime: "", leaseTransitions: 0))
        let roundTrip = try JSONDecoder().decode(LeaseObject.self, from: try APIClient.json(
            LeaseObject(namespace: "ops", name: "x", record: Self.held, resourceVersion: "8")))
        #expect(roundTrip.record == Self.held)
    }

    @Test func eventBody() throws {
        let at = Date(timeIntervalSince1970: 1_796_548_800)
        let about = ObjectReference.pod(namespace: "ops", name: "extend-7d9f-abc", uid: "u-1")
        let event = ControllerEvent(.warning, reason: "HostFailed", message: "ssh handshake failed", regarding: "host legacy/db-01")
        let name = EventObject.name(about: about, at: at)
        #expect(name == "extend-7d9f-abc.18ee9f9d75a78000")
        let body = EventObject(event, name: name, namespace: "ops", about: about, component: "netpol-extend", host: "extend-7d9f-abc",
                               count: 1, first: at, last: at)
        #expect(try Self.text(body) == #"{"apiVersion":"v1","count":1,"firstTimestamp":"2026-12-06T09:20:00Z","involvedObject":{"apiVersion":"v1","kind":"Pod","name":"extend-7d9f-abc","namespace":"ops","uid":"u-1"},"kind":"Event","lastTimestamp":"2026-12-06T09:20:00Z","message":"host legacy/db-01: ssh handshake failed","metadata":{"name":"extend-7d9f-abc.18ee9f9d75a78000","namespace":"ops"},"reason":"HostFailed","reportingComponent":"netpol-extend","reportingInstance":"extend-7d9f-abc","source":{"component":"netpol-extend","host":"extend-7d9f-abc"},"type":"Warning"}"#)
        #expect(try Self.text(EventCountPatch(count: 3, last: at.addingTimeInterval(61))) == #"{"count":3,"lastTimestamp":"2026-12-06T09:21:01Z"}"#)
    }

    @Test func longMessagesAreCut() {
        let event = ControllerEvent(.normal, reason: "R", message: String(repeating: "x", count: 5000), regarding: "")
        #expect(EventObject.message(event).count == EventObject.maxMessage)
        #expect(EventObject.message(event).hasSuffix("..."))
    }

    @Test func involvedObjectIsThePodWhenKnown() {
        let lease = ObjectReference.lease(namespace: "ops", name: "netpol-extend")
        #expect(ObjectReference.controller(environment: ["POD_NAME": "p-1", "POD_NAMESPACE": "ops"], fallback: lease)
                == .pod(namespace: "ops", name: "p-1"))
        #expect(ObjectReference.controller(environment: ["POD_NAME": "p-1"], fallback: lease) == lease)
        #expect(ObjectReference.controller(environment: [:], fallback: .configMap(namespace: "ops", name: "inventory")).kind == "ConfigMap")
    }

    @Test func identityIsThePodNameElseHostAndSuffix() {
        #expect(LeaderIdentity.choose(environment: ["POD_NAME": "extend-7d9f-abc"], hostName: "h", suffix: "1") == "extend-7d9f-abc")
        #expect(LeaderIdentity.choose(environment: [:], hostName: "build-03", suffix: "0a1b2c3d") == "build-03_0a1b2c3d")
        #expect(LeaderIdentity.randomSuffix().count == 8)
        #expect(LeaderIdentity.randomSuffix() != LeaderIdentity.randomSuffix())
    }
}
