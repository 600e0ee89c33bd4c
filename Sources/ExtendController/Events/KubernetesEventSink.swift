import ExtendKube
import Foundation
import Logging

/// Posts controller events as core `v1` Events in the controller's
/// namespace, about `involvedObject` (its own Pod, or the Lease or ConfigMap
/// the caller names). Best effort: a failure to post is logged, never thrown.
///
/// A repeat of the same event (type, reason, message, what it concerns)
/// within `window` of the last one is counted on the Event already posted
/// (a merge patch of `count` and `lastTimestamp`) instead of posting another,
/// as the kubelet's event correlator does; the account needs create and
/// patch on events.
public actor KubernetesEventSink: EventSink {
    private struct Key: Hashable {
        var type: String, reason: String, message: String, regarding: String
    }
    private struct Posted {
        var name: String
        var count: Int
        var first: Date
        var last: Date
    }

    public let namespace: String
    public let involvedObject: ObjectReference
    public let component: String
    private let client: APIClient
    private let host: String?
    private let window: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var posted: [Key: Posted] = [:]
    /// The last name's time: two events in one nanosecond still get two names.
    private var lastNamed: Date?

    /// - Parameters:
    ///   - host: `source.host` and `reportingInstance`: the node or the replica's identity.
    ///   - window: repeats closer than this are counted, not posted again.
    public init(client: APIClient, namespace: String, involvedObject: ObjectReference, component: String = "netpol-extend",
                host: String? = nil, window: Duration = .seconds(300), logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.namespace = namespace
        self.involvedObject = involvedObject
        self.component = component
        self.host = host
        self.window = window
        self.logger = logger
        self.now = now
    }

    public func record(_ event: ControllerEvent) async {
        let at = now()
        let key = Key(type: event.kind.rawValue, reason: event.reason, message: event.message, regarding: event.regarding)
        let windowSeconds = Double(window.components.seconds) + Double(window.components.attoseconds) * 1e-18
        posted = posted.filter { at.timeIntervalSince($0.value.last) < windowSeconds }
        if var repeat_ = posted[key] {
            repeat_.count += 1
            repeat_.last = at
            posted[key] = repeat_  // before the await: a concurrent repeat counts on from here
            do {
                try await client.mergePatch(.events, namespace: namespace, name: repeat_.name,
                                            patch: EventCountPatch(count: repeat_.count, last: at), as: ObjectHeader.self)
                return
            } catch let e where e.kind == .notFound {
                // Gone (its TTL ran out, or someone deleted it): post it afresh.
            } catch {
                failed(event, error)
                return
            }
        }
        var named = at
        if let last = lastNamed, named <= last { named = last.addingTimeInterval(1e-6) }
        lastNamed = named
        let name = EventObject.name(about: involvedObject, at: named)
        posted[key] = Posted(name: name, count: 1, first: at, last: at)
        let body = EventObject(event, name: name, namespace: namespace, about: involvedObject, component: component,
                               host: host, count: 1, first: at, last: at)
        do {
            try await client.create(.events, namespace: namespace, name: name, body: body, as: ObjectHeader.self)
        } catch {
            posted[key] = nil
            failed(event, error)
        }
    }

    private func failed(_ event: ControllerEvent, _ error: KubeError) {
        logger.warning("cannot post a Kubernetes Event; it is only logged",
                       metadata: ["event": "\(event.reason)", "regarding": "\(event.regarding)", "message": "\(event.message)",
                                  "error": "\(error.message)"])
    }
}
