import Foundation

/// Writes through the fake's normal API as the kubeconfig's user (token
/// mode), as kubectl would: Python's urllib, trusting the server's CA, so
/// tests change the cluster by a path independent of the client under test.
extension FakeAPIServer {
    /// `method path` with `json`; returns the answer's JSON object (the
    /// created, patched or deleted object, or a Status). Throws on a non-2xx answer.
    @discardableResult
    public func send(_ method: String, _ path: String, json: Data? = nil,
                     contentType: String = "application/json") throws -> [String: Any] {
        let info = try adminCall("GET", "/info")
        guard let ca = info["caFile"] as? String, let token = info["token"] as? String else {
            throw FakeAPIServerError("/info has no caFile or token")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import os, ssl, sys, urllib.error, urllib.request
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            body = sys.stdin.buffer.read()
            req = urllib.request.Request(sys.argv[2], data=body if body else None, method=sys.argv[3],
                headers={"Authorization": "Bearer " + os.environ["FAKE_TOKEN"], "Content-Type": sys.argv[4]})
            try:
                sys.stdout.buffer.write(urllib.request.urlopen(req, context=ctx).read())
            except urllib.error.HTTPError as e:
                sys.stderr.write(f"HTTP {e.code}: {e.read().decode(errors='replace')}")
                sys.exit(1)
            """, ca, server + path, method, contentType]
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_TOKEN"] = token
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(json ?? Data())
        try input.fileHandleForWriting.close()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            // The server's answer (a Status, e.g. HTTP 500 with its message), so a failure says why.
            let why = String(decoding: complaint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw FakeAPIServerError("\(method) \(path) failed" + (why.isEmpty ? "" : ": \(why.suffix(2_000))"))
        }
        return (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] ?? [:]
    }

    /// Reads the object at `path`, merges `spec` into its spec and writes it
    /// back, conditional on what it read, all in one client process so the
    /// write follows the read by milliseconds; a conflict (someone wrote in
    /// between) is tried again, up to `attempts` times. Returns whether it took.
    public func replaceSpec(_ path: String, merging spec: [String: Any], attempts: Int = 50) throws -> Bool {
        let info = try adminCall("GET", "/info")
        guard let ca = info["caFile"] as? String, let token = info["token"] as? String else {
            throw FakeAPIServerError("/info has no caFile or token")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, os, ssl, sys, urllib.request, urllib.error
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            url, patch, attempts = sys.argv[2], json.loads(sys.stdin.read()), int(sys.argv[3])
            headers = {"Authorization": "Bearer " + os.environ["FAKE_TOKEN"], "Content-Type": "application/json"}
            for _ in range(attempts):
                obj = json.load(urllib.request.urlopen(urllib.request.Request(url, headers=headers), context=ctx))
                obj.setdefault("spec", {}).update(patch)
                try:
                    urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(obj).encode(), method="PUT", headers=headers), context=ctx)
                    sys.exit(0)
                except urllib.error.HTTPError as e:
                    if e.code != 409: raise
            sys.exit(3)
            """, ca, server + path, String(attempts)]
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_TOKEN"] = token
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @discardableResult
    public func create(_ path: String, object: [String: Any]) throws -> [String: Any] {
        try send("POST", path, json: try JSONSerialization.data(withJSONObject: object))
    }

    /// A JSON merge patch (RFC 7386), as `kubectl patch --type merge`.
    @discardableResult
    public func mergePatch(_ path: String, _ patch: [String: Any]) throws -> [String: Any] {
        try send("PATCH", path, json: try JSONSerialization.data(withJSONObject: patch),
                 contentType: "application/merge-patch+json")
    }

    @discardableResult
    public func delete(_ path: String) throws -> [String: Any] {
        try send("DELETE", path)
    }

    /// The resourceVersion of an object the API answered with.
    public static func resourceVersion(of object: [String: Any]) -> String {
        ((object["metadata"] as? [String: Any])?["resourceVersion"] as? String) ?? ""
    }
}
