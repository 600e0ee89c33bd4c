import Foundation
internal import CLibCurl

/// Owns one libcurl easy handle, the header list of its current request and
/// its error buffer; frees them in deinit. Not thread-safe: its owner
/// (`CurlTransport`) uses it from one serial queue only. Reusing the handle
/// keeps the connection to the API server alive between pages.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_CONNECT_TO of the current request (tls-server-name).
    private var connectTo: UnsafeMutablePointer<curl_slist>?

    init() throws(KubeError) {
        guard CurlGlobal.isInitialized else {
            throw KubeError(.configuration, "curl_global_init failed: cannot talk to the Kubernetes API")
        }
        guard let handle = curl_easy_init() else {
            throw KubeError(.configuration, "cannot allocate a libcurl handle to talk to the Kubernetes API")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        if let connectTo { curl_slist_free_all(connectTo) }
        errorBuffer.deallocate()
    }

    func perform(_ request: HTTPRequest) throws(KubeError) -> HTTPResponse {
        try run(request, sink: ResponseSink())
    }

    /// Like `perform`, but a successful (2xx) body goes to `body` piece by
    /// piece as it arrives instead of being kept; any other answer's body is
    /// kept and returned, as `perform` does. `stop` is checked about once a
    /// second, even while nothing arrives; once set, the transfer ends with
    /// a `.cancelled` error.
    func stream(_ request: HTTPRequest, stop: StopFlag, body: @escaping (UnsafeRawBufferPointer) -> Void) throws(KubeError) -> HTTPResponse {
        let sink = ResponseSink()
        sink.stream = body
        sink.stop = stop
        return try run(request, sink: sink)
    }

    private func run(_ request: HTTPRequest, sink: ResponseSink) throws(KubeError) -> HTTPResponse {
        // Each request sets every option again; reset keeps the open connection.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        try configure(request, sink: box.toOpaque())
        if sink.stop != nil {
            try set(CURLOPT_NOPROGRESS, 0, request)
            try check(npx_curl_setopt_xferinfo_function(handle, curlProgress), request)
            try set(CURLOPT_XFERINFODATA, pointer: box.toOpaque(), request)
        }
        let code = curl_easy_perform(handle)
        if code == CURLE_ABORTED_BY_CALLBACK, sink.stop?.isSet ?? false {
            throw KubeError(.cancelled, "\(request.purpose) at \(APIServerURL.origin(of: request.url)) was stopped")
        }
        guard code == CURLE_OK else { throw failure(code, request) }
        var status = 0
        _ = npx_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    // MARK: Options

    private func configure(_ r: HTTPRequest, sink: UnsafeMutableRawPointer) throws(KubeError) {
        try setURL(r)
        try set(CURLOPT_NOSIGNAL, 1, r)  // timeouts by alarm() are unsafe with threads
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer), r)
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(r.timeouts.connect), r)
        if let total = r.timeouts.request { try set(CURLOPT_TIMEOUT_MS, milliseconds(total), r) }
        if let idle = r.timeouts.idle {
            // Below 1 byte/s for `idle` seconds: the connection is taken for dead.
            try set(CURLOPT_LOW_SPEED_LIMIT, 1, r)
            try set(CURLOPT_LOW_SPEED_TIME, max(1, milliseconds(idle) / 1000), r)
        }
        try set(CURLOPT_FOLLOWLOCATION, 0, r)
        try set(CURLOPT_ACCEPT_ENCODING, "", r)  // whatever curl can decode (gzip)
        if r.method == "GET" {
            try set(CURLOPT_HTTPGET, 1, r)
        } else {
            try set(CURLOPT_CUSTOMREQUEST, r.method, r)
        }
        if let body = r.body {
            try set(CURLOPT_POSTFIELDSIZE_LARGE, body.count, r)
            let code = body.withUnsafeBytes { npx_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
            try check(code, r)
        }
        try setHeaders(r)
        try setTLS(r)
        try check(npx_curl_setopt_write_function(handle, curlWriteBody), r)
        try set(CURLOPT_WRITEDATA, pointer: sink, r)
        try check(npx_curl_setopt_header_function(handle, curlWriteHeader), r)
        try set(CURLOPT_HEADERDATA, pointer: sink, r)
    }

    private func setHeaders(_ r: HTTPRequest) throws(KubeError) {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        var lines = ["Accept: \(r.accept)", "User-Agent: netpol-extend"]
        if let t = r.contentType { lines.append("Content-Type: \(t)") }
        if let bearer = r.bearer { lines.append("Authorization: Bearer \(bearer.text)") }
        for line in lines {
            guard let next = curl_slist_append(headerList, line) else {
                throw KubeError(.configuration, "cannot build the request headers to \(r.purpose) at \(r.url)")
            }
            headerList = next
        }
        try check(npx_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), r)
    }

    /// With tls-server-name, the URL names that host (curl sends it in SNI
    /// and verifies the certificate for it) and CONNECT_TO sends the
    /// connection to the server's real address, as Go's tls.Config.ServerName does.
    private func setURL(_ r: HTTPRequest) throws(KubeError) {
        if let connectTo { curl_slist_free_all(connectTo) }
        connectTo = nil
        guard let name = r.tls.serverName, var parts = URLComponents(string: r.url), let host = parts.host else {
            try set(CURLOPT_URL, r.url, r)
            return
        }
        let port = parts.port ?? (parts.scheme == "http" ? 80 : 443)
        parts.host = name
        parts.port = port
        let target = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let url = parts.string, let list = curl_slist_append(nil, "\(name):\(port):\(target):\(port)") else {
            throw KubeError(.configuration, "tls-server-name \(name) cannot be used with \(r.url)")
        }
        connectTo = list
        try set(CURLOPT_URL, url, r)
        try check(npx_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, list), r)
    }

    /// Verification is on unless the kubeconfig itself says
    /// `insecure-skip-tls-verify: true`; a given CA replaces the system's.
    private func setTLS(_ r: HTTPRequest) throws(KubeError) {
        let verify = !r.tls.insecureSkipVerify
        try set(CURLOPT_SSL_VERIFYPEER, verify ? 1 : 0, r)
        try set(CURLOPT_SSL_VERIFYHOST, verify ? 2 : 0, r)
        if let ca = r.tls.certificateAuthority {
            try set(CURLOPT_CAPATH, nil, r)
            try set(CURLOPT_CAINFO, nil, r)
            try blob(CURLOPT_CAINFO_BLOB, ca, r)
        }
        if let cert = r.tls.clientCertificate {
            try set(CURLOPT_SSLCERTTYPE, "PEM", r)
            try blob(CURLOPT_SSLCERT_BLOB, cert.bytes, r)
        }
        if let key = r.tls.clientKey {
            try set(CURLOPT_SSLKEYTYPE, "PEM", r)
            try blob(CURLOPT_SSLKEY_BLOB, key.bytes, r)
        }
    }

    private func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return max(1, Int(s) * 1000 + Int(atto / 1_000_000_000_000_000))
    }

    private func set(_ option: CURLoption, _ value: Int, _ r: HTTPRequest) throws(KubeError) {
        try check(npx_curl_setopt_long(handle, option, value), r)
    }

    private func set(_ option: CURLoption, _ value: String?, _ r: HTTPRequest) throws(KubeError) {
        let code: CURLcode = if let value { npx_curl_setopt_string(handle, option, value) } else { npx_curl_setopt_string(handle, option, nil) }
        try check(code, r)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer, _ r: HTTPRequest) throws(KubeError) {
        try check(npx_curl_setopt_pointer(handle, option, pointer), r)
    }

    private func blob(_ option: CURLoption, _ bytes: Data, _ r: HTTPRequest) throws(KubeError) {
        let code = bytes.withUnsafeBytes { npx_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        try check(code, r)
    }

    private func check(_ code: CURLcode, _ r: HTTPRequest) throws(KubeError) {
        guard code == CURLE_OK else { throw failure(code, r) }
    }

    // MARK: Errors

    /// The one place curl codes become `KubeError`s: curl's own detail (the
    /// error buffer), its text for the code, the server URL and the request.
    private func failure(_ code: CURLcode, _ r: HTTPRequest) -> KubeError {
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        let reason = detail.isEmpty ? summary : "\(detail) (\(summary))"
        let server = APIServerURL.origin(of: r.url)
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return KubeError(.tls, "TLS with the API server \(server) failed (\(r.purpose)): \(reason) [curl error \(code.rawValue)]; check the cluster's certificate-authority and the client certificate and key")
        case CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN, CURLE_BAD_FUNCTION_ARGUMENT:
            return KubeError(.configuration, "libcurl cannot make the request to \(server) (\(r.purpose)): \(reason) [curl error \(code.rawValue)]; libcurl 7.77 or later built with OpenSSL is needed")
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR:
            return KubeError(.transport, "the API server \(server) closed the connection before the answer was complete (\(r.purpose)): \(reason) [curl error \(code.rawValue)]")
        case CURLE_OPERATION_TIMEDOUT:
            return KubeError(.transport, "the API server \(server) did not answer in time (\(r.purpose)): \(reason) [curl error \(code.rawValue)]")
        default:
            return KubeError(.transport, "cannot reach the API server \(server) (\(r.purpose)): \(reason) [curl error \(code.rawValue)]")
        }
    }
}

/// Where the callbacks put what arrives: the body's bytes and the headers
/// of the last response (a `100 Continue` or proxy answer starts afresh).
/// When streaming, the body of a 2xx answer goes to `stream` instead.
private final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]
    /// The status of the last response line (`HTTP/1.1 200 OK`).
    var status = 0
    var stream: ((UnsafeRawBufferPointer) -> Void)?
    var stop: StopFlag?
}

private let curlWriteBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    guard let data, let user else { return 0 }
    let n = size * count
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    if let stream = sink.stream, (200..<300).contains(sink.status) {
        stream(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: n))
        return n
    }
    data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.body.append($0, count: n) }
    return n
}

/// Non-zero stops the transfer: how a watch is cancelled from another thread.
private let curlProgress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { user, _, _, _, _ in
    guard let user else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    return (sink.stop?.isSet ?? false) ? 1 : 0
}

private let curlWriteHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    guard let data, let user else { return 0 }
    let n = size * count
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let line = data.withMemoryRebound(to: UInt8.self, capacity: n) {
        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        sink.headers = [:]
        let fields = line.split(separator: " ")
        sink.status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        sink.headers[name] = value
    }
    return n
}
