/// What one remote command produced.
public struct CommandResult: Sendable, Equatable {
    /// The remote exit status; 255 when the command was killed by a signal.
    public var exitStatus: Int32
    /// The signal name (`KILL`, `TERM`, …) when the command was killed by one.
    public var exitSignal: String?
    public var stdout: [UInt8]
    public var stderr: String
    /// Wall time from opening the channel to the exit status.
    public var duration: Duration
    /// Bytes of stdin never delivered because the command ended (or closed
    /// its input) first; they are dropped, as ssh(1) does.
    public var unreadInput: Int
    /// Bytes of stdin the command was given (delivered or not).
    public var inputSize: Int

    public init(
        exitStatus: Int32, exitSignal: String? = nil, stdout: [UInt8], stderr: String,
        duration: Duration = .zero, unreadInput: Int = 0, inputSize: Int = 0
    ) {
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.unreadInput = unreadInput
        self.inputSize = inputSize
    }

    /// stdout as UTF-8 text (invalid sequences replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    public var succeeded: Bool { exitStatus == 0 && exitSignal == nil }
}
