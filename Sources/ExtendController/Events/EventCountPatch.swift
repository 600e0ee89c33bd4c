import Foundation

/// The merge patch for a repeat of an Event already posted.
struct EventCountPatch: Codable, Equatable {
    var count: Int
    var lastTimestamp: String

    init(count: Int, last: Date) {
        self.count = count
        lastTimestamp = KubeTimestamp.seconds(last)
    }
}
