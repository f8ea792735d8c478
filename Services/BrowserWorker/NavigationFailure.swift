/// Classifies why a navigation failed, and whether trying again later may help.
///
/// Chromium reports network failures as `net::ERR_*` names (`Page.navigate`'s `errorText`) and
/// HTTP failures as the document's status. Connection, DNS and timeout errors are transient; an
/// unsafe port, a blocked or malformed URL, a TLS certificate error or a missing file are not.
enum NavigationFailure {
    /// `net::` errors worth another attempt: the network, the server or the resolver may recover.
    static let transientNetworkErrors: Set<String> = [
        "ERR_ADDRESS_UNREACHABLE", "ERR_CONNECTION_ABORTED", "ERR_CONNECTION_CLOSED", "ERR_CONNECTION_FAILED",
        "ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET", "ERR_CONNECTION_TIMED_OUT", "ERR_EMPTY_RESPONSE",
        "ERR_HTTP2_PROTOCOL_ERROR", "ERR_INTERNET_DISCONNECTED", "ERR_NAME_NOT_RESOLVED",
        "ERR_NAME_RESOLUTION_FAILED", "ERR_NETWORK_CHANGED", "ERR_NETWORK_IO_SUSPENDED",
        "ERR_PROXY_CONNECTION_FAILED", "ERR_QUIC_PROTOCOL_ERROR", "ERR_SOCKET_NOT_CONNECTED", "ERR_TIMED_OUT",
        "ERR_TUNNEL_CONNECTION_FAILED", "ERR_DNS_TIMED_OUT", "ERR_DNS_SERVER_FAILED",
    ]

    /// The failure for a `Page.navigate` reply whose `errorText` is set (e.g. `net::ERR_CONNECTION_REFUSED`).
    ///
    /// `status` is the document's HTTP status when a response arrived (Chromium reports an error
    /// status with an empty body as `net::ERR_HTTP_RESPONSE_CODE_FAILURE`).
    static func error(url: String, errorText: String, status: Int?) -> BrowserError {
        if let status, status >= 400 { return httpError(url: url, status: status) }
        let name = errorText.hasPrefix("net::") ? String(errorText.dropFirst(5)) : errorText
        return BrowserError(
            .navigationFailed, "loading \(url) failed: \(errorText)", retryable: transientNetworkErrors.contains(name))
    }

    /// The failure for a document that arrived with an HTTP error status (400 and above).
    ///
    /// 408 (request timeout), 425, 429 (too many requests) and 5xx are retryable; other 4xx are not.
    static func httpError(url: String, status: Int) -> BrowserError {
        let retryable = status >= 500 || status == 408 || status == 425 || status == 429
        return BrowserError(.navigationFailed, "loading \(url) failed: the server answered HTTP \(status)", retryable: retryable)
    }
}
