internal import CLibCurl

/// libcurl's process-wide state.
enum CurlGlobal {
    /// `curl_global_init` must run once before any handle and is not
    /// thread-safe; a static `let` is initialised exactly once, atomically.
    private static let initCode: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    static var isInitialized: Bool { initCode == CURLE_OK }
}
