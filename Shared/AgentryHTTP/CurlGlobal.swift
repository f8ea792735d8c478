internal import CCurl

/// Process-wide libcurl initialisation, done exactly once before the first handle is created.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a global `let` is initialised once, atomically.
    private static let initResult: CURLcode = ccurl_global_init()

    static func ensureInitialized() {
        precondition(initResult == CURLE_OK, "curl_global_init failed with code \(initResult.rawValue)")
    }
}
