/// A message could not be delivered.
///
/// ``isRetryable`` says whether another attempt may succeed (rate limits, an endpoint down or
/// timing out, a delivery of the same key in progress elsewhere) or not (the channel does not
/// exist, the credentials are refused, the message is invalid). ``code`` is short and stable, safe
/// as a metric label and as a tool failure code; ``message`` never contains a credential.
///
/// ```swift
/// do { try await ledger.deliver(message, key: key, context: context) }
/// catch let error as ChannelError where error.isRetryable { /* try again later */ }
/// ```
public struct ChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, comparable with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case rateLimited = "rate_limited"
            case unavailable = "unavailable"
            case rejected = "rejected"
            case unauthorized = "unauthorized"
            case notFound = "not_found"
            case invalidMessage = "invalid_message"
            case badResponse = "bad_response"
            case busy = "delivery_in_progress"
        }

        private let base: Base

        /// The endpoint asked to slow down (HTTP 429, Slack `ratelimited`). Retryable.
        public static let rateLimited = Code(base: .rateLimited)
        /// The endpoint could not be reached, timed out or failed on its side (5xx, Slack
        /// `internal_error`). Retryable.
        public static let unavailable = Code(base: .unavailable)
        /// The endpoint refused the message for good (Slack `channel_not_found`, HTTP 400).
        public static let rejected = Code(base: .rejected)
        /// The endpoint refused the credentials (HTTP 401/403, Slack `invalid_auth`, SMTP login).
        public static let unauthorized = Code(base: .unauthorized)
        /// The issue or resource does not exist (HTTP 404).
        public static let notFound = Code(base: .notFound)
        /// The message itself is invalid (bad address, issue key, empty text).
        public static let invalidMessage = Code(base: .invalidMessage)
        /// The endpoint answered with something that is not the API's response.
        public static let badResponse = Code(base: .badResponse)
        /// Another worker is delivering the same idempotency key right now. Retryable.
        public static let busy = Code(base: .busy)

        /// Whether another attempt may succeed.
        public var isRetryable: Bool {
            switch base {
            case .rateLimited, .unavailable, .busy: true
            case .rejected, .unauthorized, .notFound, .invalidMessage, .badResponse: false
            }
        }

        /// A short snake_case name, such as `rate_limited`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The channel of the failed delivery.
    public let channel: Channel
    /// Why, for people (the endpoint's error, e.g. `channel_not_found`); never a credential.
    public let message: String
    /// How long the endpoint asked to wait before the next attempt (`Retry-After`), if it said.
    public let retryAfter: Duration?

    public init(_ code: Code, channel: Channel, _ message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.channel = channel
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Whether another attempt may succeed.
    public var isRetryable: Bool { code.isRetryable }

    public var description: String {
        var text = "\(channel.rawValue) \(code): \(message)"
        if let retryAfter { text += " (retry after \(retryAfter))" }
        return text
    }
}
