/// Drives non-blocking libssh2 calls to completion against one deadline,
/// waiting on the socket with poll(2) between tries.
struct SessionDriver {
    let session: LibSSH2Session
    let wake: WakePipe
    let deadline: ContinuousClock.Instant
    /// The duration the deadline came from, for messages.
    let limit: Duration

    var target: String { session.target }

    /// Repeats `call` until it is done; its failure becomes an `SSHError` of `stage`.
    /// `action` ends just before the host: "the SSH handshake with".
    func perform<T>(
        _ stage: SSHError.Stage, _ action: String, _ call: () -> LibSSH2Step<T>
    ) throws(SSHError) -> T {
        while true {
            switch call() {
            case .done(let value): return value
            case .failed(let code): throw session.failure(code, stage, action)
            case .again: try wait(for: session.blockDirections, action)
            }
        }
    }

    /// Waits until the socket is ready for `directions`. With no direction
    /// known, waits briefly for input so a loop never spins.
    func wait(for directions: SocketDirections, _ action: String) throws(SSHError) {
        session.socket.requestQuickAcknowledgement()
        let outcome = SocketWait.wait(
            on: session.socket.descriptor,
            for: directions.isEmpty ? .inbound : directions,
            until: deadline,
            wake: wake,
            slice: directions.isEmpty ? .milliseconds(10) : nil)
        switch outcome {
        case .ready:
            return
        case .timedOut:
            throw SSHError(.timeout, host: target, "\(action) \(target) timed out after \(limit.shortText)")
        case .cancelled:
            throw SSHError(.cancelled, host: target, "\(action) \(target) was cancelled")
        }
    }
}
