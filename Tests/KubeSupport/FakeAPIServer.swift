import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The stand-in kube-apiserver (`k8s-fake/fake_apiserver.py`, beside this
/// file, so a fresh clone finds it), run for one test: started in a private
/// temporary directory, stopped by its recorded pid with SIGTERM (SIGKILL if
/// it lingers), its directory removed. `FakeAPIServer.with` stops it even
/// when the test throws.
public final class FakeAPIServer: @unchecked Sendable {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("k8s-fake/fake_apiserver.py").path

    public let directory: URL
    /// The kubeconfig the server wrote: one cluster, one user, one context.
    public let kubeconfig: String
    /// `https://127.0.0.1:PORT`
    public let server: String
    /// `http://127.0.0.1:PORT`
    public let admin: String
    public let pid: Int32
    private let process: Process
    private var stopped = false

    /// `loading`: JSON to preload (a List or a typed list), passed as `--load`.
    public init(_ arguments: [String] = [], loading json: Data? = nil, startTimeout: Duration = .seconds(30)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-apiserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        var arguments = arguments
        if let json {
            let load = directory.appendingPathComponent("load.json")
            try json.write(to: load)
            arguments += ["--load", load.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The test runner's threads block most signals and a spawned child
        // inherits that mask: unblock SIGTERM/SIGINT before running the
        // server, or it never hears the SIGTERM that stops it cleanly.
        let bootstrap = """
            import runpy, signal, sys
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
            sys.argv = sys.argv[1:]
            runpy.run_path(sys.argv[0], run_name="__main__")
            """
        process.arguments = ["python3", "-c", bootstrap, Self.script, "--port", "0", "--admin-port", "0",
                             "--kubeconfig-out", kubeconfig, "--workdir", directory.appendingPathComponent("work").path] + arguments
        let out = Pipe()
        let errPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        pid = process.processIdentifier
        // If READY never comes, the watchdog kills the server so the read below ends.
        let watchdog = DispatchWorkItem { [pid] in kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(startTimeout.components.seconds)), execute: watchdog)
        var text = ""
        while !text.contains("READY ") || !text.hasSuffix("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        watchdog.cancel()
        var admin = "", server = ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if parts[0] == "ADMIN" { admin = String(parts[1]) }
            if parts[0] == "READY" { server = String(parts[1]) }
        }
        self.admin = admin
        self.server = server
        guard !admin.isEmpty, !server.isEmpty else {
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            stop()
            throw FakeAPIServerError("fake_apiserver.py did not start: \(stderr)")
        }
    }

    deinit { stop() }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh server and stops it afterwards, whatever happens.
    public static func with<T>(_ arguments: [String] = [], loading json: Data? = nil,
                               _ body: (FakeAPIServer) async throws -> T) async throws -> T {
        let server = try FakeAPIServer(arguments, loading: json)
        defer { server.stop() }
        return try await body(server)
    }

    // MARK: Admin API

    /// `POST path` (or GET) on the admin port; returns the JSON answer.
    @discardableResult
    public func adminCall(_ method: String, _ path: String, body: [String: any Sendable]? = nil) throws -> [String: Any] {
        guard let url = URL(string: admin + path) else { throw FakeAPIServerError("bad admin URL \(admin + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if method == "POST" {
            request.httpBody = Data("{}".utf8)
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.data = data
            box.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = box.error { throw FakeAPIServerError("admin \(method) \(path): \(error)") }
        let object = try JSONSerialization.jsonObject(with: box.data ?? Data())
        guard let dict = object as? [String: Any] else { throw FakeAPIServerError("admin \(method) \(path): not a JSON object") }
        return dict
    }

    /// The API requests logged so far: method, path, query, params, verb, resource, status.
    public func requests() throws -> [[String: Any]] {
        (try adminCall("GET", "/requests")["requests"] as? [[String: Any]]) ?? []
    }

    /// POSTs `json` to `path` as the kubeconfig's user (see `send`).
    public func create(_ path: String, _ json: Data) throws {
        try send("POST", path, json: json)
    }

    /// The token of the kubeconfig's user (token mode).
    public func token() throws -> String {
        (try adminCall("GET", "/info")["token"] as? String) ?? ""
    }
}

public struct FakeAPIServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

private final class ResultBox: @unchecked Sendable {
    var data: Data?
    var error: (any Error)?
}
