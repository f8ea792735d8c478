/// An error from an outbound HTTP or SMTP transfer.
///
/// It carries the redacted URL (no user name, password or query string; never headers or bodies),
/// libcurl's own error text when there is one, and a ``shortDescription`` that is safe to use as
/// a metric label:
/// ```swift
/// do { _ = try await client.execute(request) }
/// catch let error as HTTPClientError where error.code == .timedOut { ... }
/// ```
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: Sendable, Hashable {
            case invalidURL
            case invalidRequest
            case connectFailed
            case connectTimedOut
            case timedOut
            case tlsFailed
            case tooManyRedirects
            case bodyTooLarge
            case authenticationFailed
            case cancelled
            case shutDown
            case transferFailed(Int)
        }

        let base: Base

        /// The URL is malformed or its scheme is not allowed for this kind of transfer.
        public static let invalidURL = Code(base: .invalidURL)
        /// The request cannot be sent as built (for example a header containing a line break).
        public static let invalidRequest = Code(base: .invalidRequest)
        /// The host could not be resolved or refused the connection.
        public static let connectFailed = Code(base: .connectFailed)
        /// The connection was not established within the connect timeout.
        public static let connectTimedOut = Code(base: .connectTimedOut)
        /// The transfer did not finish within its total timeout.
        public static let timedOut = Code(base: .timedOut)
        /// The TLS handshake or the peer's certificate verification failed.
        public static let tlsFailed = Code(base: .tlsFailed)
        /// The server redirected more often than the request's redirect policy allows.
        public static let tooManyRedirects = Code(base: .tooManyRedirects)
        /// The response body exceeded the request's maximum size.
        public static let bodyTooLarge = Code(base: .bodyTooLarge)
        /// The server rejected the credentials (SMTP login).
        public static let authenticationFailed = Code(base: .authenticationFailed)
        /// The transfer was cancelled: by the calling task, by dropping a streamed body, or by shutdown.
        public static let cancelled = Code(base: .cancelled)
        /// The client was already shut down when the request was made.
        public static let shutDown = Code(base: .shutDown)

        /// Any other libcurl failure, with libcurl's `CURLcode`.
        public static func transferFailed(_ curlCode: Int) -> Code {
            Code(base: .transferFailed(curlCode))
        }

        /// A short snake_case name, safe as a metric label.
        public var description: String {
            switch base {
            case .invalidURL: "invalid_url"
            case .invalidRequest: "invalid_request"
            case .connectFailed: "connect_failed"
            case .connectTimedOut: "connect_timed_out"
            case .timedOut: "timed_out"
            case .tlsFailed: "tls_failed"
            case .tooManyRedirects: "too_many_redirects"
            case .bodyTooLarge: "body_too_large"
            case .authenticationFailed: "authentication_failed"
            case .cancelled: "cancelled"
            case .shutDown: "shut_down"
            case .transferFailed: "transfer_failed"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The request URL without credentials or query string, when known.
    public let url: String?
    /// libcurl's error text or another human-readable detail, when there is one.
    public let detail: String?

    /// Creates an error; `url` is redacted here, so callers may pass the request URL as is.
    public init(_ code: Code, url: String? = nil, detail: String? = nil) {
        self.code = code
        self.url = url.map(URLRedaction.redact)
        self.detail = detail.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A short snake_case name safe to use as a metric label, such as `timed_out`.
    public var shortDescription: String { code.description }

    public var description: String {
        var text = "HTTPClientError.\(code)"
        if case .transferFailed(let curlCode) = code.base { text += " (curl code \(curlCode))" }
        if let url { text += " for \(url)" }
        if let detail { text += ": \(detail)" }
        return text
    }
}
