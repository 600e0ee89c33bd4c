#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits on one socket with a deadline, and wakes early on cancellation.
enum SocketWait {
    enum Outcome {
        case ready
        case timedOut
        case cancelled
    }

    /// Returns when the socket is ready in one of `directions`, the deadline
    /// passes, `wake` is signalled, or `slice` (when given) has elapsed.
    static func wait(
        on descriptor: Int32,
        for directions: SocketDirections,
        until deadline: ContinuousClock.Instant,
        wake: WakePipe,
        slice: Duration? = nil
    ) -> Outcome {
        var events: Int16 = 0
        if directions.contains(.inbound) { events |= Int16(POLLIN) }
        if directions.contains(.outbound) { events |= Int16(POLLOUT) }
        let sliceEnd = slice.map { ContinuousClock.now + $0 }
        while true {
            if wake.isSignalled { return .cancelled }
            let now = ContinuousClock.now
            if now >= deadline { return .timedOut }
            var until = deadline
            if let sliceEnd {
                if now >= sliceEnd { return .ready }
                until = min(until, sliceEnd)
            }
            var entries = [
                pollfd(fd: descriptor, events: events, revents: 0),
                pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0),
            ]
            let count = poll(&entries, 2, (until - now).pollMilliseconds)
            if count < 0 {
                if errno == EINTR { continue }
                // Let the next libssh2 call meet and report the socket's error.
                return .ready
            }
            if entries[1].revents != 0 { return .cancelled }
            if count > 0 { return .ready }
        }
    }
}
