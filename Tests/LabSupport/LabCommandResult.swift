/// What one local command printed and how it ended.
public struct LabCommandResult: Sendable {
    public let argv: [String]
    /// The exit code, or 128 + the signal number when a signal ended it.
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: [UInt8]

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
}
