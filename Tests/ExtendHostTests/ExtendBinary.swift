import Foundation
import LabSupport

/// The built `extend` (swift build --build-tests builds it), run as an
/// operator runs it against lab hosts: arguments and environment in; exit
/// status, stdout and stderr out.
enum ExtendBinary {
    /// Beside the running test binary (whatever `--scratch-path` the build
    /// used), else in the default build directory.
    static let path: String = {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let beside = (running as NSString).deletingLastPathComponent + "/extend"
        return !running.isEmpty && FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/extend"
    }()

    /// One run.
    struct Run: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// Runs `extend` with `passphrase` in its environment (none: unset)
    /// and no ssh-agent, output to files in the lab's directory.
    static func run(_ arguments: [String], passphrase: String?, lab: Lab) throws -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_AUTH_SOCK"] = nil
        environment["EXTEND_SSH_KEY_PASSPHRASE"] = passphrase
        let out = lab.path("extend-\(UUID().uuidString).out"), err = out + ".err"
        guard FileManager.default.createFile(atPath: out, contents: nil), FileManager.default.createFile(atPath: err, contents: nil),
              let outHandle = FileHandle(forWritingAtPath: out), let errHandle = FileHandle(forWritingAtPath: err) else {
            throw LabError("cannot create \(out)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = outHandle
        p.standardError = errHandle
        try p.run()
        try? outHandle.close()
        try? errHandle.close()
        p.waitUntilExit()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
