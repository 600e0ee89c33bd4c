import Foundation
import Testing

/// A standard output that cannot take the result (a reader that went away, a
/// full disk) ends the run with exit code 1, never a crash. SIGPIPE is ignored
/// (SSH sockets must not kill the run), so these arrive as write errors.
@Suite struct OutputErrorCLITests {
    static let commands: [[String]] = [
        ["render"],
        ["render", "--output", "json"],
        ["explain", "--from", "live/api-6d4f9", "--to", "live/billing-db-01", "--port", "5432"],
    ]

    @Test(arguments: commands)
    func fullDisk(_ command: [String]) throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        let r = try CLI.run(command + CLI.example, stdout: full)
        #expect(!r.crashed, "\(r)")
        #expect(r.exited(1), "\(r)")
        #expect(r.stderrText.contains("extend: cannot write to standard output: "), "\(r)")
    }

    @Test(arguments: commands)
    func readerGone(_ command: [String]) throws {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let r = try CLI.run(command + CLI.example, stdout: pipe.fileHandleForWriting)
        #expect(!r.crashed, "\(r)")
        #expect(r.exited(1), "\(r)")
        // Nobody is left to read it: no message about the broken pipe.
        #expect(!r.stderrText.contains("cannot write"), "\(r)")
    }
}
