import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ExecPlugin {
    /// Runs the plugin and returns its stdout. Blocking: called from the API
    /// client's queue only. A failure names the plugin and carries its
    /// stderr; stdout (which holds the credential) never goes into a message.
    func run(timeout: Duration = .seconds(60)) throws(KubeError) -> Data {
        let executable = try locate()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for v in env { environment[v.name] = v.value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw KubeError(.credentials, "\(label) cannot be started: \(error.localizedDescription)")
        }
        // Both pipes are drained at once so a chatty stderr cannot stall the plugin.
        let stderrBox = DataBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderrBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        // SIGKILL, not terminate(): a child started from a dispatch thread
        // inherits its blocked signals, SIGTERM among them.
        let pid = process.processIdentifier
        let killer = DispatchWorkItem {
            stderrBox.timedOut = true
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.components.seconds) * 1000), execute: killer)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        group.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = stderrBox.timedOut ? "no answer within \(timeout)"
                : process.terminationReason == .exit ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
            let text = String(decoding: stderrBox.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let said = text.isEmpty ? "" : ": \(String(text.suffix(2000)))"
            throw KubeError(.credentials, "\(label) failed with \(how)\(said)")
        }
        return output
    }

    private func locate() throws(KubeError) -> String {
        if command.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: command) else {
                throw KubeError(.credentials, "\(label): \(command) is not an executable file\(hint)")
            }
            return command
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KubeError(.credentials, "\(label): \(command) is not found in PATH\(hint)")
    }

    private var hint: String { installHint.map { "; \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "" }
}

/// Filled by the stderr reader before `group.wait()` returns, and by the
/// timeout before the process ends.
private final class DataBox: @unchecked Sendable {
    var data = Data()
    var timedOut = false
}
