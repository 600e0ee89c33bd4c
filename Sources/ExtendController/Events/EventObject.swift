import ExtendKube
import Foundation

/// A core `v1` Event as we post it, and the patch that counts a repeat.
/// Built here, from values only, so tests can compare the bytes.
struct EventObject: Codable, Equatable {
    struct Source: Codable, Equatable {
        var component: String
        var host: String?
    }

    var apiVersion = "v1"
    var kind = "Event"
    var metadata: ObjectMeta
    var involvedObject: ObjectReference
    var reason: String
    var message: String
    var type: String
    var source: Source
    var firstTimestamp: String
    var lastTimestamp: String
    var count: Int
    var reportingComponent: String
    var reportingInstance: String?

    /// Longer messages are cut, as client-go cuts them.
    static let maxMessage = 1024

    init(_ event: ControllerEvent, name: String, namespace: String, about: ObjectReference, component: String,
         host: String?, count: Int, first: Date, last: Date) {
        metadata = ObjectMeta(name: name, namespace: namespace)
        involvedObject = about
        reason = event.reason
        message = Self.message(event)
        type = event.kind.rawValue
        source = Source(component: component, host: host)
        firstTimestamp = KubeTimestamp.seconds(first)
        lastTimestamp = KubeTimestamp.seconds(last)
        self.count = count
        reportingComponent = component
        reportingInstance = host
    }

    /// `host legacy/db-01: ssh handshake failed`: the Event is about the
    /// controller's Pod, so what it concerns leads the message.
    static func message(_ event: ControllerEvent) -> String {
        let text = event.regarding.isEmpty ? event.message : "\(event.regarding): \(event.message)"
        return text.count > maxMessage ? String(text.prefix(maxMessage - 3)) + "..." : text
    }

    /// As client-go names them: the involved object's name, a dot, the time in hex nanoseconds.
    static func name(about: ObjectReference, at date: Date) -> String {
        let nanos = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000_000))
        return "\(about.name).\(String(nanos, radix: 16))"
    }
}
