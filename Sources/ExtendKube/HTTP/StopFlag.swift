import Foundation

/// Set from one thread, read by a blocking transfer on another (libcurl's
/// progress callback polls it): how a watch is stopped mid-stream.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    func set() { lock.withLock { stopped = true } }

    var isSet: Bool { lock.withLock { stopped } }
}
