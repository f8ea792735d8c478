/// Why a request did not pass ``SlackSignatureVerifier``; each is answered 401.
enum SlackSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingSignature
    case missingTimestamp
    case malformedTimestamp
    case stale
    case fromTheFuture
    case malformedSignature
    case mismatch

    /// A short label for metrics (`signature_stale`, ...).
    var reason: String {
        switch self {
        case .missingSignature: "signature_missing"
        case .missingTimestamp: "signature_timestamp_missing"
        case .malformedTimestamp: "signature_timestamp_malformed"
        case .stale: "signature_stale"
        case .fromTheFuture: "signature_future"
        case .malformedSignature: "signature_malformed"
        case .mismatch: "signature_mismatch"
        }
    }

    var description: String {
        switch self {
        case .missingSignature: "the X-Slack-Signature header is missing"
        case .missingTimestamp: "the X-Slack-Request-Timestamp header is missing"
        case .malformedTimestamp: "X-Slack-Request-Timestamp is not a Unix time in seconds"
        case .stale: "X-Slack-Request-Timestamp is more than five minutes old"
        case .fromTheFuture: "X-Slack-Request-Timestamp is more than five minutes in the future"
        case .malformedSignature: "X-Slack-Signature is not v0= followed by 64 hex digits"
        case .mismatch: "X-Slack-Signature does not match the body"
        }
    }
}
