internal import CLibSSH2

/// Owns one `LIBSSH2_CHANNEL`: a session channel running one command.
///
/// Close it (`close()`, then `waitClosed()`) before letting it go; deinit
/// frees it, and if it was left open libssh2 finishes that when the session is freed.
final class LibSSH2Channel {
    private let raw: OpaquePointer
    private let sessionPointer: OpaquePointer
    /// Keeps the session (and so the socket) alive as long as the channel.
    private let session: LibSSH2Session

    enum Stream {
        case stdout
        case stderr
    }

    init(raw: OpaquePointer, session: LibSSH2Session, sessionPointer: OpaquePointer) {
        self.raw = raw
        self.session = session
        self.sessionPointer = sessionPointer
    }

    deinit {
        _ = libssh2_channel_free(raw)
    }

    func exec(_ command: String) -> LibSSH2Step<Void> {
        LibSSH2.step(npx_ssh2_channel_exec(raw, command, UInt32(clamping: command.utf8.count)))
    }

    /// Writes a prefix of `bytes`; `.done(n)` says how many were taken.
    func write(_ bytes: UnsafeRawBufferPointer) -> LibSSH2Step<Int> {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .done(0) }
        return LibSSH2.step(npx_ssh2_channel_write(raw, base.assumingMemoryBound(to: CChar.self), bytes.count))
    }

    func sendEOF() -> LibSSH2Step<Void> {
        LibSSH2.step(npx_ssh2_channel_send_eof(raw))
    }

    /// Reads what is buffered for one stream; `.done(0)` at end of stream.
    func read(_ stream: Stream, into buffer: UnsafeMutableRawBufferPointer) -> LibSSH2Step<Int> {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .done(0) }
        let pointer = base.assumingMemoryBound(to: CChar.self)
        let count = switch stream {
        case .stdout: npx_ssh2_channel_read(raw, pointer, buffer.count)
        case .stderr: npx_ssh2_channel_read_stderr(raw, pointer, buffer.count)
        }
        return LibSSH2.step(count)
    }

    /// Whether libssh2 holds data of either stream that was not read yet.
    /// Any libssh2 call may drain the socket into its queue (reading stderr
    /// queues stdout's packets, and the other way round): that data is not on
    /// the socket any more, so waiting for the socket would not see it.
    var hasQueuedData: Bool {
        var queued: UInt = 0
        _ = libssh2_channel_window_read_ex(raw, &queued, nil)
        return queued > 0
    }

    /// The server sent EOF and nothing of either stream is left unread.
    var isAtEOF: Bool { libssh2_channel_eof(raw) == 1 }

    func close() -> LibSSH2Step<Void> {
        LibSSH2.step(libssh2_channel_close(raw))
    }

    func waitClosed() -> LibSSH2Step<Void> {
        LibSSH2.step(libssh2_channel_wait_closed(raw))
    }

    /// The exit status the server reported (0 when it reported none).
    var exitStatus: Int32 { libssh2_channel_get_exit_status(raw) }

    /// The name of the signal that killed the command, if one did.
    var exitSignal: String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(raw, &name, &length, nil, nil, nil, nil) == 0,
              let name else { return nil }
        defer { libssh2_free(sessionPointer, name) }
        guard length > 0 else { return nil }
        return name.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
