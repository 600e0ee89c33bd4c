import ExtendCore
import ExtendInput

/// One line of a watch stream, as the informer acts on it. Decoded by the
/// manifest decoder's JSON reader (`APIObjectReader`), so a watched object
/// and a listed one become the same value with the same diagnostics.
enum WatchEvent: Sendable {
    case added(APIObject)
    case modified(APIObject)
    case deleted(APIObject)
    /// Every event up to this resourceVersion has been sent: resume from it.
    case bookmark(resourceVersion: String)
    /// ERROR 410 (Expired, Gone): the resourceVersion watched from was compacted away; only a relist helps.
    case expired(message: String)
    /// ERROR with any other Status.
    case error(WatchEventRead.Status)
    /// Not an event we can use (bad JSON, an unknown type); `diagnostics` say why.
    case unreadable(type: String, diagnostics: [Diagnostic])

    /// `name` stands for the file in messages: the watch URL and the event's number.
    static func decode(_ line: String, name: String, resource: APIResource) -> WatchEvent {
        let read = APIObjectReader.watchEvent(line, name: name, kind: resource.objectKind, apiVersion: resource.apiVersion)
        switch read.type {
        case "ADDED", "MODIFIED", "DELETED":
            guard let object = read.object, !object.name.isEmpty else {
                return .unreadable(type: read.type, diagnostics: read.diagnostics.isEmpty
                    ? [.error(name, "a \(read.type) event whose object has no metadata.name")] : read.diagnostics)
            }
            switch read.type {
            case "ADDED": return .added(object)
            case "MODIFIED": return .modified(object)
            default: return .deleted(object)
            }
        case "BOOKMARK":
            guard let rv = read.bookmark, !rv.isEmpty else { return .unreadable(type: read.type, diagnostics: read.diagnostics) }
            return .bookmark(resourceVersion: rv)
        case "ERROR":
            let status = read.status ?? WatchEventRead.Status(code: nil, reason: "", message: "")
            if status.code == 410 || status.reason == "Expired" || status.reason == "Gone" {
                return .expired(message: status.message)
            }
            return .error(status)
        case "":
            return .unreadable(type: "", diagnostics: read.diagnostics)
        default:
            return .unreadable(type: read.type, diagnostics: read.diagnostics + [.error(name, "unknown watch event type \"\(read.type)\" (expected ADDED, MODIFIED, DELETED, BOOKMARK or ERROR)")])
        }
    }
}
