import Foundation
import KubeSupport

extension FakeAPIServer {
    /// A copy of the stand-in's kubeconfig in `files` whose user, instead of
    /// its token, authenticates as `user` says (kubeconfig YAML for the
    /// user's fields, such as `tokenFile: PATH` or an `exec:` block, indented
    /// by four spaces). Returns its path.
    func kubeconfig(authenticating user: String, in files: TempFiles) throws -> String {
        let original = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        let tokenLine = "    token: \"\(try token())\"\n"
        guard original.contains(tokenLine) else { throw CLIError("the stand-in's kubeconfig has no token line:\n\(original)") }
        let text = original.replacingOccurrences(of: tokenLine, with: user.hasSuffix("\n") ? user : user + "\n")
        return try files.write("kubeconfig", Array(text.utf8))
    }
}

extension ControllerProcess {
    /// GETs /readyz until `condition` holds on its body (or the time is up,
    /// and then once more: a test kept waiting by a busy machine still sees
    /// the present); returns the last answer.
    static func readyz(port: Int, timeout: Duration = .seconds(15),
                       until condition: (String) -> Bool) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let answer = await get(port: port, "/readyz")
            if condition(answer.body) { return answer }
            try await Task.sleep(for: .milliseconds(100))
        }
        return await get(port: port, "/readyz")
    }
}

/// Runs blocking work (a child process such as `extend changes` or the
/// stand-in's python client, a semaphore) on a thread of its own, so an async
/// test never holds a thread of the cooperative pool while it waits.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
